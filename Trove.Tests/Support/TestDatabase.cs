using Npgsql;

namespace Trove.Tests.Support;

/// <summary>A fresh PostgreSQL database on the local server (role <c>trove</c>, made by scripts/bootstrap with a password
/// root alone reads), dropped after.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string ServerFile = "/etc/trove/postgres-connection";
    private static readonly string Server = File.ReadAllText(ServerFile).Trim();

    public string Name { get; }
    public string ConnectionString => $"{Server};Database={Name}";

    private TestDatabase(string name) => Name = name;

    public static async Task<TestDatabase> CreateAsync()
    {
        var database = new TestDatabase($"trove_t_{Guid.NewGuid():N}"[..20]);
        await RunAsync($"CREATE DATABASE {database.Name}");
        return database;
    }

    /// <summary>A node's settings for journal, snapshots and read model in this database.</summary>
    public Dictionary<string, string> NodeSettings() => new()
    {
        ["Trove__DatabaseProvider"] = "PostgreSQL.15",
        ["Trove__JournalConnectionString"] = ConnectionString,
        ["Trove__ReadModelConnectionString"] = ConnectionString,
    };

    public async ValueTask DisposeAsync() => await RunAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");

    private static async Task RunAsync(string sql)
    {
        await using var admin = new NpgsqlConnection($"{Server};Database=trove");
        await admin.OpenAsync();
        await new NpgsqlCommand(sql, admin).ExecuteNonQueryAsync();
    }
}
