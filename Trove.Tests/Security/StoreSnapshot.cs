using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Trove.Tests.Security;

/// <summary>What a node has stored: every table of its journal (akka.db) and of its read model and catalog
/// (readmodel.db), each as its row count and a hash of its rows. Equal snapshots: nothing was written.</summary>
public sealed record StoreSnapshot(IReadOnlyDictionary<string, string> Tables)
{
    private static readonly string[] Files = ["akka.db", "readmodel.db"];

    public static StoreSnapshot Take(string dataDir)
    {
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Files)
        {
            using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, file)};Mode=ReadOnly;Pooling=False");
            connection.Open();
            foreach (var table in Names(connection))
                tables[$"{file}:{table}"] = Describe(connection, table);
        }
        return new StoreSnapshot(tables);
    }

    /// <summary>Waits until two snapshots in a row agree: work started before (a build, a backup) has been written.</summary>
    public static async Task<StoreSnapshot> SettledAsync(string dataDir, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = Take(dataDir);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var next = Take(dataDir);
            if (next.Differences(last).Count == 0 || DateTime.UtcNow > deadline)
                return next;
            last = next;
        }
    }

    /// <summary>The tables whose rows differ, with both descriptions.</summary>
    public IReadOnlyList<string> Differences(StoreSnapshot other) =>
        Tables.Keys.Union(other.Tables.Keys)
            .Where(t => Tables.GetValueOrDefault(t) != other.Tables.GetValueOrDefault(t))
            .Select(t => $"{t}: {other.Tables.GetValueOrDefault(t) ?? "absent"} -> {Tables.GetValueOrDefault(t) ?? "absent"}")
            .ToList();

    private static List<string> Names(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
            names.Add(reader.GetString(0));
        return names;
    }

    private static string Describe(SqliteConnection connection, string table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\"";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i =>
                reader.IsDBNull(i) ? "null" : reader.GetValue(i) is byte[] blob ? Convert.ToHexString(blob) : Convert.ToString(reader.GetValue(i)))));
        rows.Sort(StringComparer.Ordinal);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows))))[..16];
        return $"{rows.Count} rows {hash}";
    }
}
