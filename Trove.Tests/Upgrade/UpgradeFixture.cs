using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Trove.Tests.Upgrade;

/// <summary>
/// The data dir of a single node of release d88d1e5, as kept in Trove.Tests/Fixtures/Upgrade-d88d1e5 (see its README):
/// the journal and snapshots (akka.sql) and the read model (readmodel.sql) as SQLite dumps, and what that release's
/// API showed just before it stopped (api-before.txt).
/// </summary>
public static class UpgradeFixture
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Upgrade-d88d1e5");

    /// <summary>One stored payload: an event of the journal or a snapshot.</summary>
    public sealed record StoredPayload(string Table, string PersistenceId, long SequenceNr, int SerializerId, string Manifest, byte[] Bytes);

    /// <summary>Writes akka.db and readmodel.db into <paramref name="dataDir"/>, as the old node left them.</summary>
    public static void RestoreInto(string dataDir)
    {
        foreach (var name in new[] { "akka", "readmodel" })
        {
            using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, name + ".db")};Pooling=False");
            connection.Open();
            using var restore = connection.CreateCommand();
            restore.CommandText = File.ReadAllText(Path.Combine(Dir, name + ".sql"));
            restore.ExecuteNonQuery();
        }
    }

    /// <summary>Every event and snapshot the old node stored, read from a scratch copy of its journal.</summary>
    public static IReadOnlyList<StoredPayload> StoredPayloads()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (var restore = connection.CreateCommand())
        {
            restore.CommandText = File.ReadAllText(Path.Combine(Dir, "akka.sql"));
            restore.ExecuteNonQuery();
        }
        using var query = connection.CreateCommand();
        query.CommandText = """
            SELECT 'journal', persistence_id, sequence_number, identifier, manifest, message FROM journal
            UNION ALL
            SELECT 'snapshot', persistence_id, sequence_number, serializer_id, manifest, snapshot FROM snapshot
            """;
        using var reader = query.ExecuteReader();
        var payloads = new List<StoredPayload>();
        while (reader.Read())
            payloads.Add(new StoredPayload(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3),
                reader.GetString(4), (byte[])reader.GetValue(5)));
        return payloads;
    }

    /// <summary>The old API's answers, by their heading in api-before.txt (e.g. "demo instances").</summary>
    public static IReadOnlyDictionary<string, JsonObject> ApiBefore()
    {
        var sections = new Dictionary<string, JsonObject>();
        string? heading = null;
        foreach (var line in File.ReadLines(Path.Combine(Dir, "api-before.txt")))
        {
            if (line.StartsWith("== "))
                heading = line[3..];
            else if (heading is not null && line.Length > 0)
                sections[heading] = JsonNode.Parse(line)!.AsObject();
        }
        return sections;
    }

    /// <summary>The old node's base address, as its views' links carry it.</summary>
    public const string OldBaseAddress = "http://127.0.0.1:8871/";
}
