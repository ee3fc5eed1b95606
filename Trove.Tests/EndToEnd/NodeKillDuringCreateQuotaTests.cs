using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Trove.Tests.Support;
using Xunit.Abstractions;

namespace Trove.Tests.EndToEnd;

/// <summary>
/// kill -9 of the single node while a create holds its tenant's quota and the instance is not kept yet (its guest's
/// prepare waits for the broker, whose publishers a memory alarm blocks): the same data dir started again gives the
/// quota back by itself, with no request for that instance, and the instance never existed. On a RabbitMQ of the
/// test's own, so that the alarm blocks no other test.
/// </summary>
[Collection("restart")]
public sealed class NodeKillDuringCreateQuotaTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_create_killed_after_its_reservation_gives_the_quota_back_once_the_node_is_up_again_untouched()
    {
        await using var broker = await PrivateRabbitMq.StartAsync();
        var settings = broker.NodeSettings();
        var dataDir = TroveNode.NewDataDir();
        var first = await TroveNode.StartAsync(dataDir, settings);
        string id;
        try
        {
            Assert.Equal((0, 0), await InUseAsync(first));
            await broker.BlockPublishersAsync(true);
            var create = first.Http.PostAsJsonAsync("v1.0/demo/instances", PostgresInstanceTests.CreateBody("killed-holding-quota"));
            await WaitForInUseAsync(first, (1, 1), TimeSpan.FromSeconds(30)); // reserved: 1 instance, its 1 GB
            Assert.False(create.IsCompleted, "the create answered before its prepare was queued");
            await first.KillAsync();
            output.WriteLine($"killed while the create holds its quota; the create's request ended {await Outcome(create)}");
            await broker.BlockPublishersAsync(false);
            id = Assert.Single(await InstanceIdsInJournalAsync(dataDir));
        }
        catch
        {
            first.KeepLog = true;
            await first.DisposeAsync();
            throw;
        }

        await using var second = await TroveNode.StartAsync(dataDir, settings);
        try
        {
            // Nothing asks for the instance: the node finds the open hold by itself and gives it back.
            await WaitForInUseAsync(second, (0, 0), TimeSpan.FromSeconds(60));
            Assert.Equal(HttpStatusCode.NotFound, (await second.Http.GetAsync($"v1.0/demo/instances/{id}")).StatusCode);
            Assert.Empty((await second.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/instances"))!["instances"]!.AsArray());

            // given back once: a create now has the whole quota, and the usage counts it once
            var next = (string)(await second.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("after-the-kill")))["id"]!;
            await WaitForInUseAsync(second, (1, 1), TimeSpan.FromSeconds(10));
            Assert.Equal(HttpStatusCode.Accepted, (await second.Http.DeleteAsync($"v1.0/demo/instances/{next}")).StatusCode);
            await WaitForInUseAsync(second, (0, 0), TimeSpan.FromSeconds(120));
        }
        catch
        {
            second.KeepLog = true;
            throw;
        }
    }

    private static async Task<string> Outcome(Task<HttpResponseMessage> request)
    {
        try
        {
            return $"with {(int)(await request).StatusCode}";
        }
        catch (Exception e)
        {
            return $"without an answer ({e.GetType().Name})";
        }
    }

    /// <summary>The demo tenant's instances and gigabytes in use, as its tenant entity counts them.</summary>
    private static async Task<(int Instances, int Volumes)> InUseAsync(TroveNode node)
    {
        var quotas = (await node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/mgmt/quotas/demo"))!["quotas"]!.AsArray();
        int Used(string resource) => (int)quotas.Single(q => (string?)q!["resource"] == resource)!["in_use"]!;
        return (Used("instances"), Used("volumes"));
    }

    private static async Task WaitForInUseAsync(TroveNode node, (int Instances, int Volumes) expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var inUse = await InUseAsync(node);
        while (inUse != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            inUse = await InUseAsync(node);
        }
        Assert.Equal(expected, inUse);
    }

    /// <summary>The instances the killed node's journal knows of (the create never answered with its id).</summary>
    private static async Task<List<string>> InstanceIdsInJournalAsync(string dataDir)
    {
        await using var journal = new SqliteConnection($"Data Source={Path.Combine(dataDir, "akka.db")};Mode=ReadOnly;Pooling=false");
        await journal.OpenAsync();
        var query = journal.CreateCommand();
        query.CommandText = "SELECT DISTINCT persistence_id FROM journal WHERE persistence_id LIKE 'instance-%'";
        var ids = new List<string>();
        await using var rows = await query.ExecuteReaderAsync();
        while (await rows.ReadAsync())
            ids.Add(rows.GetString(0)["instance-".Length..]);
        return ids;
    }
}
