using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>A PostgreSQL instance written to as a point-in-time restore is tested: a segment archived before its backup,
/// the backup, row A, the noted time, row B, and the segment holding them archived. <see cref="WriteAsync"/> waits for
/// each archive with <c>archived</c> (instance id, segment name), which looks wherever the storage keeps it.</summary>
public sealed record ArchivedSource(string Id, JsonObject Engine, string BeforeBackup, JsonObject Backup, DateTimeOffset Noted, string AfterBackup)
{
    public static async Task<ArchivedSource> WriteAsync(TroveNode node, string name, Func<string, string, Task> archived)
    {
        var id = (string)(await node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody(name, "postgresql", "15")))["id"]!;
        var engine = await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        var rootPassword = (string)(await (await node.Http.PostAsync($"v1.0/demo/instances/{id}/root", null))
            .Content.ReadFromJsonAsync<JsonObject>())!["user"]!["password"]!;
        async Task<string> SwitchAndArchiveAsync()
        {
            var segment = (string)(await EngineClient.ScalarAsync(engine, "SELECT pg_walfile_name(pg_switch_wal())", "root", rootPassword))!;
            await archived(id, segment);
            return segment;
        }

        await EngineClient.ScalarAsync(engine, "CREATE TABLE rows (name text); SELECT 1");
        var beforeBackup = await SwitchAndArchiveAsync();
        var backup = await node.WaitForBackupAsync("demo", (string)(await node.CreateBackupAsync("demo", id, $"{name}-base"))["id"]!, "COMPLETED");
        await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(10));
        await EngineClient.ScalarAsync(engine, "INSERT INTO rows VALUES ('A'); SELECT 1");
        var noted = (DateTime)(await EngineClient.ScalarAsync(engine, "SELECT now()"))!;
        await EngineClient.ScalarAsync(engine, "INSERT INTO rows VALUES ('B'); SELECT 1");
        return new ArchivedSource(id, engine, beforeBackup, backup, new DateTimeOffset(noted.ToUniversalTime()), await SwitchAndArchiveAsync());
    }

    /// <summary>How many rows named <paramref name="name"/> an instance restored from this one has.</summary>
    public static async Task<long> CountAsync(JsonObject instance, string name) =>
        Convert.ToInt64(await EngineClient.ScalarAsync(instance, $"SELECT count(*) FROM rows WHERE name = '{name}'"));
}
