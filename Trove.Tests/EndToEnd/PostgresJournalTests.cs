using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The journal, snapshots, sharding state and read model on PostgreSQL (a cluster's store) instead of SQLite.</summary>
[Collection("restart")]
public sealed class PostgresJournalTests
{
    [Fact]
    public async Task A_node_on_a_postgresql_journal_builds_an_instance_and_finds_it_again_after_a_restart()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = database.NodeSettings();
        var dataDir = TroveNode.NewDataDir();
        var first = await TroveNode.StartAsync(dataDir, settings);
        var id = (string)(await first.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-on-pg")))["id"]!;
        await first.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        await first.StopAsync();
        Assert.False(File.Exists(Path.Combine(dataDir, "akka.db"))); // nothing of the journal went to SQLite

        await using var second = await TroveNode.StartAsync(dataDir, settings);
        await second.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonArray listed;
        do
        {
            listed = (await second.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/instances"))!["instances"]!.AsArray();
        } while (listed.Count == 0 && DateTime.UtcNow < deadline && await Task.Delay(200).ContinueWith(_ => true));
        Assert.Equal(id, (string?)Assert.Single(listed)!["id"]);
    }
}
