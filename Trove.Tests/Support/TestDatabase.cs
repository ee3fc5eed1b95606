using Npgsql;

namespace Trove.Tests.Support;

/// <summary>A fresh PostgreSQL database on the local server (role <c>trove</c>, made by scripts/bootstrap), dropped after.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private const string Server = "Host=127.0.0.1;Port=5432;Username=trove;Password=trove";

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
