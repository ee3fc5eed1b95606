using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Trove.Tests.Support;
using static Trove.Tests.Support.Poll;

namespace Trove.Tests.EndToEnd;

/// <summary>A replica set changing its source on the real stack: a switchover (promote_to_replica_source) under a write
/// loop, and a failover (eject_replica_source) after the source's guest and engine were killed.</summary>
[Collection("node")]
public sealed class PostgresPromotionTests(NodeFixture fixture)
{
    private static readonly TimeSpan Build = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Promote_hands_the_source_over_under_a_write_loop_without_losing_an_acknowledged_row_and_the_old_source_follows()
    {
        var node = fixture.Node;
        var (source, replicaIds) = await ReplicaSetAsync(node, "pg-switch", replicas: 2);
        var (sourceId, candidateId, otherId) = ((string)source["id"]!, replicaIds[0], replicaIds[1]);

        var acknowledged = new ConcurrentQueue<int>();
        using var stop = new CancellationTokenSource();
        var writes = WriteLoopAsync(source, acknowledged, stop.Token);
        await UntilAsync(() => Task.FromResult(acknowledged.Count >= 20), "the write loop to have rows acknowledged");

        var promoted = await node.Http.PostAsJsonAsync($"v1.0/demo/instances/{candidateId}/action", new { promote_to_replica_source = new { } });
        Assert.Equal(HttpStatusCode.Accepted, promoted.StatusCode);
        await UntilAsync(async () => (string?)(await node.ShowAsync("demo", sourceId))!["status"] == "PROMOTE", "the source to show PROMOTE");
        await UntilAsync(async () => await IsSetAsync(node, candidateId, [sourceId, otherId]), "the replica set to change its source", seconds: 120);
        stop.Cancel();
        await writes;

        var newSource = (await node.ShowAsync("demo", candidateId))!;
        Assert.Equal(candidateId, (string?)(await node.ShowAsync("demo", sourceId))!["replica_of"]!["id"]);
        Assert.Equal(candidateId, (string?)(await node.ShowAsync("demo", otherId))!["replica_of"]!["id"]);
        Assert.True(acknowledged.Count > 20);
        Assert.Equal((long)acknowledged.Count, Convert.ToInt64(await EngineClient.ScalarAsync(newSource,
            $"SELECT count(*) FROM acked WHERE n IN ({string.Join(',', acknowledged)})")));

        var refused = await Assert.ThrowsAsync<PostgresException>(() => EngineClient.ScalarAsync(source, "INSERT INTO acked VALUES (-1)"));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
        await EngineClient.ScalarAsync(newSource, "INSERT INTO acked VALUES (-1)");
        foreach (var follower in new[] { source, (await node.ShowAsync("demo", otherId))! })
            await UntilAsync(async () => Convert.ToInt64(await EngineClient.ScalarAsync(follower, "SELECT count(*) FROM acked WHERE n = -1")) == 1,
                "a row written on the new source to reach its followers");

        await DeleteSetAsync(node, candidateId, [sourceId, otherId]);
    }

    [Fact]
    public async Task Eject_promotes_the_most_advanced_replica_of_a_source_that_is_gone_and_the_other_replica_follows_it()
    {
        // the source's guest is not started again by the reconciler, and its silence is noticed soon
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>
        {
            ["Trove__Instances__HeartbeatExpiry"] = "00:00:05",
            ["Trove__Reconcile__RestartGrace"] = "00:30:00",
        });
        var (source, replicaIds) = await ReplicaSetAsync(node, "pg-eject", replicas: 2);
        var sourceId = (string)source["id"]!;
        await EngineClient.ScalarAsync(source, "INSERT INTO acked SELECT generate_series(1, 50)");
        foreach (var id in replicaIds)
            await UntilAsync(async () => Convert.ToInt64(await EngineClient.ScalarAsync((await node.ShowAsync("demo", id))!, "SELECT count(*) FROM acked")) == 50,
                "the replicas to have the rows");

        var current = await node.Http.PostAsJsonAsync($"v1.0/demo/instances/{sourceId}/action", new { eject_replica_source = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, current.StatusCode);
        Assert.Contains("has a current heartbeat", (string?)(await current.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["message"]);

        var engine = int.Parse(File.ReadLines(Path.Combine(node.ServersDir, sourceId, "postgres", "data", "postmaster.pid")).First().Trim());
        Process.Start("kill", ["-KILL", node.GuestPid(sourceId).ToString()])!.WaitForExit();
        Process.Start("kill", ["-KILL", engine.ToString()])!.WaitForExit();
        await node.WaitForOperatingStatusAsync("demo", sourceId, "ERROR", TimeSpan.FromSeconds(60));

        var ejected = await node.Http.PostAsJsonAsync($"v1.0/demo/instances/{sourceId}/action", new { eject_replica_source = new { } });
        Assert.Equal(HttpStatusCode.Accepted, ejected.StatusCode);
        string? newSourceId = null;
        await UntilAsync(async () =>
        {
            foreach (var id in replicaIds)
                if (await IsSetAsync(node, id, replicaIds.Where(r => r != id).ToList()))
                    newSourceId = id;
            return newSourceId is not null;
        }, "a replica to become the source of the other", seconds: 120);
        var shownSource = (await node.ShowAsync("demo", sourceId))!;
        Assert.Null(shownSource["replicas"]); // upstream: the old source stays, detached
        Assert.Null(shownSource["replica_of"]);

        var newSource = (await node.ShowAsync("demo", newSourceId!))!;
        await EngineClient.ScalarAsync(newSource, "INSERT INTO acked VALUES (51)");
        var follower = (await node.ShowAsync("demo", replicaIds.Single(id => id != newSourceId)))!;
        await UntilAsync(async () => Convert.ToInt64(await EngineClient.ScalarAsync(follower, "SELECT count(*) FROM acked")) == 51,
            "the remaining replica to follow the new source");
        var refused = await Assert.ThrowsAsync<PostgresException>(() => EngineClient.ScalarAsync(follower, "INSERT INTO acked VALUES (52)"));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
    }

    /// <summary>A source with a table <c>acked</c> and its replicas, all ACTIVE.</summary>
    private static async Task<(JsonObject Source, List<string> ReplicaIds)> ReplicaSetAsync(TroveNode node, string name, int replicas)
    {
        var source = await node.WaitForStatusAsync("demo", (string)(await node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody(name)))["id"]!, "ACTIVE", Build);
        var sourceId = (string)source["id"]!;
        await EngineClient.ScalarAsync(source, "CREATE TABLE acked (n int PRIMARY KEY)");
        await node.CreateInstanceAsync("demo", new { instance = new { name = $"{name}-replica", replica_of = sourceId, replica_count = replicas } });
        var replicaIds = (await node.ShowAsync("demo", sourceId))!["replicas"]!.AsArray().Select(r => (string)r!["id"]!).ToList();
        foreach (var id in replicaIds)
            await node.WaitForStatusAsync("demo", id, "ACTIVE", Build);
        return (source, replicaIds);
    }

    /// <summary>Whether <paramref name="sourceId"/> is an ACTIVE source of exactly <paramref name="followers"/>, each ACTIVE and following it.</summary>
    private static async Task<bool> IsSetAsync(TroveNode node, string sourceId, IReadOnlyList<string> followers)
    {
        var source = await node.ShowAsync("demo", sourceId);
        if (source is null || (string?)source["status"] != "ACTIVE" || source["replica_of"] is not null
            || source["replicas"]?.AsArray().Select(r => (string)r!["id"]!).Order().SequenceEqual(followers.Order()) != true)
            return false;
        foreach (var id in followers)
            if (await node.ShowAsync("demo", id) is not { } follower || (string?)follower["status"] != "ACTIVE"
                || (string?)follower["replica_of"]?["id"] != sourceId)
                return false;
        return true;
    }

    /// <summary>Inserts 1, 2, 3, ... one connection each, and keeps the numbers the engine acknowledged; a refused or
    /// broken insert (the source fenced mid-way) is not acknowledged, and the loop goes on until stopped.</summary>
    private static Task WriteLoopAsync(JsonObject source, ConcurrentQueue<int> acknowledged, CancellationToken stop) => Task.Run(async () =>
    {
        for (var n = 1; !stop.IsCancellationRequested; n++)
        {
            try
            {
                await EngineClient.ScalarAsync(source, $"INSERT INTO acked VALUES ({n})");
                acknowledged.Enqueue(n);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                await Task.Delay(50);
            }
        }
    });

    private static async Task DeleteSetAsync(TroveNode node, string sourceId, IReadOnlyList<string> replicaIds)
    {
        foreach (var id in replicaIds)
            await node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
        await UntilAsync(async () => (await node.ShowAsync("demo", sourceId))!["replicas"] is null, "the source to forget its replicas");
        await node.Http.DeleteAsync($"v1.0/demo/instances/{sourceId}");
    }
}
