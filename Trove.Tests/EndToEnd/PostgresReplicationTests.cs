using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Trove.Tests.Support;
using static Trove.Tests.Support.Poll;

namespace Trove.Tests.EndToEnd;

/// <summary>Replicas on the real stack: a source and its replica, each a guest process with its PostgreSQL, streaming
/// over a replication slot.</summary>
[Collection("node")]
public sealed class PostgresReplicationTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;
    private static readonly TimeSpan Build = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_replica_follows_its_source_refuses_writes_blocks_the_source_s_delete_and_its_delete_drops_its_slot()
    {
        var source = await Node.WaitForStatusAsync("demo", (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-source")))["id"]!, "ACTIVE", Build);
        var sourceId = (string)source["id"]!;
        await EngineClient.ScalarAsync(source, "CREATE TABLE rows (n int); INSERT INTO rows VALUES (1)");

        var created = await Node.CreateInstanceAsync("demo", new { instance = new { name = "pg-replica", replica_of = sourceId } });
        var replicaId = (string)created["id"]!;
        Assert.Equal(sourceId, (string?)created["replica_of"]!["id"]);
        Assert.Equal(source["flavor"]!["id"]!.ToJsonString(), created["flavor"]!["id"]!.ToJsonString());
        var replica = await Node.WaitForStatusAsync("demo", replicaId, "ACTIVE", Build);
        Assert.Equal("HEALTHY", (string?)replica["operating_status"]);

        // the source's views list it: show at once, the lists once the read model has it
        Assert.Equal([replicaId], (await Node.ShowAsync("demo", sourceId))!["replicas"]!.AsArray().Select(r => (string)r!["id"]!));
        await UntilAsync(async () => (await ListedAsync("instances/detail", sourceId))?["replicas"]?.AsArray().Count == 1, "the detail list to show the replica");
        await UntilAsync(async () => (string?)(await ListedAsync("instances", replicaId))?["replica_of"]?["id"] == sourceId, "the list to show replica_of");

        // the rows written before it was made, and after, reach it
        Assert.Equal(1L, Convert.ToInt64(await EngineClient.ScalarAsync(replica, "SELECT count(*) FROM rows")));
        await EngineClient.ScalarAsync(source, "INSERT INTO rows SELECT generate_series(2, 100)");
        await UntilAsync(async () => Convert.ToInt64(await EngineClient.ScalarAsync(replica, "SELECT count(*) FROM rows")) == 100, "the replica to have the rows");

        // its guest's heartbeats say how far behind it is; the source, no replica, shows none
        await UntilAsync(async () => (await Node.ShowAsync("demo", replicaId))!["replication_lag"] is JsonValue lag && (double)lag >= 0,
            "the replica's heartbeat to report its lag");
        Assert.Null((await Node.ShowAsync("demo", sourceId))!["replication_lag"]);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => EngineClient.ScalarAsync(replica, "INSERT INTO rows VALUES (101)"));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);

        var forbidden = await Node.Http.DeleteAsync($"v1.0/demo/instances/{sourceId}");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("Detach replicas before deleting replica source.",
            (string?)(await forbidden.Content.ReadFromJsonAsync<JsonObject>())!["forbidden"]!["message"]);

        Assert.Equal(1L, Convert.ToInt64(await EngineClient.ScalarAsync(source, "SELECT count(*) FROM pg_replication_slots")));
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{replicaId}")).StatusCode);
        await UntilAsync(async () => await Node.ShowAsync("demo", replicaId) is null, "the replica to be deleted");
        await UntilAsync(async () => (await Node.ShowAsync("demo", sourceId))!["replicas"] is null, "the source to forget the replica");
        await UntilAsync(async () => Convert.ToInt64(await EngineClient.ScalarAsync(source, "SELECT count(*) FROM pg_replication_slots")) == 0,
            "the replica's slot to be dropped");
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{sourceId}")).StatusCode);
    }

    [Fact]
    public async Task A_replica_of_a_replica_is_forbidden_and_replica_count_makes_as_many()
    {
        var source = await Node.WaitForStatusAsync("demo", (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-source-2")))["id"]!, "ACTIVE", Build);
        var sourceId = (string)source["id"]!;
        await Node.CreateInstanceAsync("demo", new { instance = new { name = "pg-replicas", replica_of = sourceId, replica_count = 2 } });
        var replicas = (await Node.ShowAsync("demo", sourceId))!["replicas"]!.AsArray().Select(r => (string)r!["id"]!).ToList();
        Assert.Equal(2, replicas.Count);
        foreach (var id in replicas)
            await Node.WaitForStatusAsync("demo", id, "ACTIVE", Build);

        var response = await Node.Http.PostAsJsonAsync("v1.0/demo/instances", new { instance = new { name = "x", replica_of = replicas[0] } });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"Cannot create a replica of a replica {replicas[0]}", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["forbidden"]!["message"]);

        foreach (var id in replicas)
            await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
        await UntilAsync(async () => (await Node.ShowAsync("demo", sourceId))!["replicas"] is null, "the source to forget its replicas");
        await Node.Http.DeleteAsync($"v1.0/demo/instances/{sourceId}");
    }

    [Fact]
    public async Task Detach_makes_the_replica_a_writable_instance_of_its_own_and_its_source_forgets_it()
    {
        var source = await Node.WaitForStatusAsync("demo", (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-source-3")))["id"]!, "ACTIVE", Build);
        var sourceId = (string)source["id"]!;
        await EngineClient.ScalarAsync(source, "CREATE TABLE rows (n int); INSERT INTO rows VALUES (1)");
        var replicaId = (string)(await Node.CreateInstanceAsync("demo", new { instance = new { name = "pg-detached", replica_of = sourceId } }))["id"]!;
        var replica = await Node.WaitForStatusAsync("demo", replicaId, "ACTIVE", Build);

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.PutAsJsonAsync($"v1.0/demo/instances/{replicaId}",
            new JsonObject { ["instance"] = new JsonObject { ["replica_of"] = null } })).StatusCode);
        await UntilAsync(async () => (await Node.ShowAsync("demo", replicaId)) is { } shown && (string?)shown["status"] == "ACTIVE" && shown["replica_of"] is null,
            "the replica to be detached");
        await EngineClient.ScalarAsync(replica, "INSERT INTO rows VALUES (2)");
        Assert.Equal(2L, Convert.ToInt64(await EngineClient.ScalarAsync(replica, "SELECT count(*) FROM rows")));
        await UntilAsync(async () => (await Node.ShowAsync("demo", sourceId))!["replicas"] is null, "the source to forget the replica");
        Assert.Equal(0L, Convert.ToInt64(await EngineClient.ScalarAsync(source, "SELECT count(*) FROM pg_replication_slots")));
        Assert.Equal(1L, Convert.ToInt64(await EngineClient.ScalarAsync(source, "SELECT count(*) FROM rows"))); // the two part ways

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{sourceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{replicaId}")).StatusCode);
    }

    private async Task<JsonObject?> ListedAsync(string path, string id) =>
        (await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/{path}"))!["instances"]!.AsArray().FirstOrDefault(i => (string?)i!["id"] == id)?.AsObject();
}
