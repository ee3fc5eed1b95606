using System.Data.Common;
using System.Text.Json.Nodes;
using MySqlConnector;
using Npgsql;

namespace Trove.Tests.Support;

/// <summary>Talks to an instance's engine as a tenant does: over TCP to the address and port the API shows.</summary>
public static class EngineClient
{
    public const string AppPassword = "s3cret-pw-e2e";

    public static DbConnection Connect(JsonObject instance, string user = "app", string password = AppPassword, string database = "appdb")
    {
        var address = instance["addresses"]![0]!;
        return (string?)instance["datastore"]!["type"] == "mariadb"
            ? new MySqlConnection($"Server={address["address"]};Port={address["port"]};User ID={user};Password={password};Database={database};Pooling=false;Connection Timeout=5")
            : new NpgsqlConnection($"Host={address["address"]};Port={address["port"]};Username={user};Password={password};Database={database};Pooling=false;Timeout=5");
    }

    /// <summary>Runs <paramref name="sql"/> and returns its first value.</summary>
    public static async Task<object?> ScalarAsync(JsonObject instance, string sql, string user = "app", string password = AppPassword, string database = "appdb")
    {
        await using var db = Connect(instance, user, password, database);
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
