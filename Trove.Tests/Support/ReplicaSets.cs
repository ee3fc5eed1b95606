using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Trove.Tests.Support.Poll;

namespace Trove.Tests.Support;

/// <summary>A replica set on a real node, for the switchover and failover tests of every datastore: <paramref name="Sql"/>
/// runs a statement on an instance's engine as the tenant's app user.</summary>
public sealed record ReplicaSets(TroveNode Node, Func<JsonObject, string, Task<object?>> Sql)
{
    private static readonly TimeSpan Build = TimeSpan.FromSeconds(120);

    /// <summary>A node of its own for a failover: the source's guest is not started again by the reconciler, and its
    /// silence is noticed soon.</summary>
    public static Task<TroveNode> StartNodeForFailoverAsync() => TroveNode.StartAsync(TroveNode.NewDataDir(), new Dictionary<string, string>
    {
        ["Trove__Instances__HeartbeatExpiry"] = "00:00:05",
        ["Trove__Reconcile__RestartGrace"] = "00:30:00",
    });

    /// <summary>A source with a table <c>acked</c> and its replicas, all ACTIVE.</summary>
    private async Task<(JsonObject Source, List<string> ReplicaIds)> CreateAsync(object sourceBody, string name, int replicas)
    {
        var source = await Node.WaitForStatusAsync("demo", (string)(await Node.CreateInstanceAsync("demo", sourceBody))["id"]!, "ACTIVE", Build);
        var sourceId = (string)source["id"]!;
        await Sql(source, "CREATE TABLE acked (n int PRIMARY KEY)");
        await Node.CreateInstanceAsync("demo", new { instance = new { name = $"{name}-replica", replica_of = sourceId, replica_count = replicas } });
        var replicaIds = (await Node.ShowAsync("demo", sourceId))!["replicas"]!.AsArray().Select(r => (string)r!["id"]!).ToList();
        foreach (var id in replicaIds)
            await Node.WaitForStatusAsync("demo", id, "ACTIVE", Build);
        return (source, replicaIds);
    }

    /// <summary>Whether <paramref name="sourceId"/> is an ACTIVE source of exactly <paramref name="followers"/>, each ACTIVE and following it.</summary>
    private async Task<bool> IsSetAsync(string sourceId, IReadOnlyList<string> followers)
    {
        var source = await Node.ShowAsync("demo", sourceId);
        if (source is null || (string?)source["status"] != "ACTIVE" || source["replica_of"] is not null
            || source["replicas"]?.AsArray().Select(r => (string)r!["id"]!).Order().SequenceEqual(followers.Order()) != true)
            return false;
        foreach (var id in followers)
            if (await Node.ShowAsync("demo", id) is not { } follower || (string?)follower["status"] != "ACTIVE"
                || (string?)follower["replica_of"]?["id"] != sourceId)
                return false;
        return true;
    }

    /// <summary>Inserts 1, 2, 3, ... one connection each, and keeps the numbers the engine acknowledged; a refused or
    /// broken insert (the source fenced mid-way) is not acknowledged, and the loop goes on until stopped.</summary>
    private Task WriteLoopAsync(JsonObject source, ConcurrentQueue<int> acknowledged, CancellationToken stop) => Task.Run(async () =>
    {
        for (var n = 1; !stop.IsCancellationRequested; n++)
        {
            try
            {
                await Sql(source, $"INSERT INTO acked VALUES ({n})");
                acknowledged.Enqueue(n);
            }
            catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException)
            {
                await Task.Delay(50);
            }
        }
    });

    /// <summary>promote_to_replica_source of the first of two replicas under a write loop: no acknowledged row is lost, the
    /// old source refuses writes (<paramref name="assertReadOnly"/> runs a write and checks the engine's refusal), and the
    /// old source and the other replica follow the new source.</summary>
    public async Task SwitchOverUnderAWriteLoopAsync(object sourceBody, string name, Func<Func<Task>, Task> assertReadOnly)
    {
        var (source, replicaIds) = await CreateAsync(sourceBody, name, replicas: 2);
        var (sourceId, candidateId, otherId) = ((string)source["id"]!, replicaIds[0], replicaIds[1]);

        var acknowledged = new ConcurrentQueue<int>();
        using var stop = new CancellationTokenSource();
        var writes = WriteLoopAsync(source, acknowledged, stop.Token);
        await UntilAsync(() => Task.FromResult(acknowledged.Count >= 20), "the write loop to have rows acknowledged");

        var promoted = await Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{candidateId}/action", new { promote_to_replica_source = new { } });
        Assert.Equal(HttpStatusCode.Accepted, promoted.StatusCode);
        await UntilAsync(async () => (string?)(await Node.ShowAsync("demo", sourceId))!["status"] == "PROMOTE", "the source to show PROMOTE");
        await UntilAsync(async () => await IsSetAsync(candidateId, [sourceId, otherId]), "the replica set to change its source", seconds: 120);
        stop.Cancel();
        await writes;

        var newSource = (await Node.ShowAsync("demo", candidateId))!;
        Assert.Equal(candidateId, (string?)(await Node.ShowAsync("demo", sourceId))!["replica_of"]!["id"]);
        Assert.Equal(candidateId, (string?)(await Node.ShowAsync("demo", otherId))!["replica_of"]!["id"]);
        Assert.True(acknowledged.Count >= 20); // the promotion may fence the source right after the 20th
        Assert.Equal((long)acknowledged.Count, Convert.ToInt64(await Sql(newSource, $"SELECT count(*) FROM acked WHERE n IN ({string.Join(',', acknowledged)})")));

        await assertReadOnly(() => Sql(source, "INSERT INTO acked VALUES (-1)"));
        await Sql(newSource, "INSERT INTO acked VALUES (-1)");
        foreach (var follower in new[] { source, (await Node.ShowAsync("demo", otherId))! })
            await UntilAsync(async () => Convert.ToInt64(await Sql(follower, "SELECT count(*) FROM acked WHERE n = -1")) == 1,
                "a row written on the new source to reach its followers");

        await DeleteAsync(candidateId, [sourceId, otherId]);
    }

    /// <summary>eject_replica_source once the source's guest and engine (its pid in <paramref name="enginePidFile"/>, under
    /// the server's directory) were killed: refused while the source is heard of, then a replica with every row becomes
    /// the source, takes writes, and the other replica follows it, read-only.</summary>
    public async Task FailOverAsync(object sourceBody, string name, string enginePidFile, Func<Func<Task>, Task> assertReadOnly)
    {
        var (source, replicaIds) = await CreateAsync(sourceBody, name, replicas: 2);
        var sourceId = (string)source["id"]!;
        foreach (var n in Enumerable.Range(1, 50))
            await Sql(source, $"INSERT INTO acked VALUES ({n})");
        foreach (var id in replicaIds)
            await UntilAsync(async () => Convert.ToInt64(await Sql((await Node.ShowAsync("demo", id))!, "SELECT count(*) FROM acked")) == 50,
                "the replicas to have the rows");

        var current = await Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{sourceId}/action", new { eject_replica_source = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, current.StatusCode);
        Assert.Contains("has a current heartbeat", (string?)(await current.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["message"]);

        var engine = int.Parse(File.ReadLines(Path.Combine(Node.ServersDir, sourceId, enginePidFile)).First().Trim());
        Programs.Signal(Node.GuestPid(sourceId), "KILL");
        Programs.Signal(engine, "KILL");
        await Node.WaitForOperatingStatusAsync("demo", sourceId, "ERROR", TimeSpan.FromSeconds(60));

        var ejected = await Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{sourceId}/action", new { eject_replica_source = new { } });
        Assert.Equal(HttpStatusCode.Accepted, ejected.StatusCode);
        string? newSourceId = null;
        await UntilAsync(async () =>
        {
            foreach (var id in replicaIds)
                if (await IsSetAsync(id, replicaIds.Where(r => r != id).ToList()))
                    newSourceId = id;
            return newSourceId is not null;
        }, "a replica to become the source of the other", seconds: 120);
        var shownSource = (await Node.ShowAsync("demo", sourceId))!;
        Assert.Null(shownSource["replicas"]); // upstream: the old source stays, detached
        Assert.Null(shownSource["replica_of"]);

        var newSource = (await Node.ShowAsync("demo", newSourceId!))!;
        await Sql(newSource, "INSERT INTO acked VALUES (51)");
        var follower = (await Node.ShowAsync("demo", replicaIds.Single(id => id != newSourceId)))!;
        await UntilAsync(async () => Convert.ToInt64(await Sql(follower, "SELECT count(*) FROM acked")) == 51,
            "the remaining replica to follow the new source");
        await assertReadOnly(() => Sql(follower, "INSERT INTO acked VALUES (52)"));
    }

    private async Task DeleteAsync(string sourceId, IReadOnlyList<string> replicaIds)
    {
        foreach (var id in replicaIds)
            await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
        await UntilAsync(async () => (await Node.ShowAsync("demo", sourceId))!["replicas"] is null, "the source to forget its replicas");
        await Node.Http.DeleteAsync($"v1.0/demo/instances/{sourceId}");
    }
}
