using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MySqlConnector;
using Trove.Tests.Support;
using static Trove.Tests.Support.Poll;

namespace Trove.Tests.EndToEnd;

/// <summary>MariaDB replicas on the real stack: a source and its replica, each a guest process with its mariadbd, the
/// replica copied with a consistent dump and following the source by GTID.</summary>
[Collection("node")]
public sealed class MariaDbReplicationTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;
    private static readonly TimeSpan Build = TimeSpan.FromSeconds(120);
    private const string AppDb = "app_db";

    [Fact]
    public async Task A_replica_follows_its_source_read_only_and_once_detached_takes_writes_while_the_source_drops_its_account()
    {
        var source = await Node.WaitForStatusAsync("demo", (string)(await Node.CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody("maria-source")))["id"]!, "ACTIVE", Build);
        var sourceId = (string)source["id"]!;
        var rootPassword = (string)(await (await Node.Http.PostAsync($"v1.0/demo/instances/{sourceId}/root", null)).Content.ReadFromJsonAsync<JsonObject>())!["user"]!["password"]!;
        await AppAsync(source, "CREATE TABLE rows_kept (n int primary key); INSERT INTO rows_kept VALUES (1)");

        var replicaId = (string)(await Node.CreateInstanceAsync("demo", new { instance = new { name = "maria-replica", replica_of = sourceId } }))["id"]!;
        var replica = await Node.WaitForStatusAsync("demo", replicaId, "ACTIVE", Build);
        Assert.Equal(sourceId, (string?)replica["replica_of"]!["id"]);
        Assert.Equal([replicaId], (await Node.ShowAsync("demo", sourceId))!["replicas"]!.AsArray().Select(r => (string)r!["id"]!));

        // the copy has the rows and the source's users; rows written afterwards follow
        Assert.Equal(1L, Convert.ToInt64(await AppAsync(replica, "SELECT count(*) FROM rows_kept")));
        await AppAsync(source, "INSERT INTO rows_kept SELECT seq FROM seq_2_to_100");
        await UntilAsync(async () => Convert.ToInt64(await AppAsync(replica, "SELECT count(*) FROM rows_kept")) == 100, "the replica to have the rows");
        await UntilAsync(async () => (await Node.ShowAsync("demo", replicaId))!["replication_lag"] is JsonValue lag && (double)lag >= 0,
            "the replica's heartbeat to report its lag");
        Assert.Null((await Node.ShowAsync("demo", sourceId))!["replication_lag"]);

        // a tenant's write on the replica is refused by the engine; the replication account is no tenant's user
        var refused = await Assert.ThrowsAsync<MySqlException>(() => AppAsync(replica, "INSERT INTO rows_kept VALUES (101)"));
        Assert.Equal(MySqlErrorCode.OptionPreventsStatement, refused.ErrorCode);
        var users = (await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/instances/{sourceId}/users"))!["users"]!.AsArray();
        Assert.Equal(["app"], users.Select(u => (string)u!["name"]!));
        Assert.Equal(1L, Convert.ToInt64(await RootAsync(source, rootPassword, "SELECT count(*) FROM mysql.user WHERE User LIKE 'trove\\_repl\\_%'")));

        Assert.Equal(HttpStatusCode.Forbidden, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{sourceId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.PatchAsJsonAsync($"v1.0/demo/instances/{replicaId}",
            new JsonObject { ["instance"] = new JsonObject { ["replica_of"] = null } })).StatusCode);
        await UntilAsync(async () => (await Node.ShowAsync("demo", replicaId)) is { } shown && (string?)shown["status"] == "ACTIVE" && shown["replica_of"] is null,
            "the replica to be detached");
        await AppAsync(replica, "INSERT INTO rows_kept VALUES (101)");
        await UntilAsync(async () => (await Node.ShowAsync("demo", sourceId))!["replicas"] is null, "the source to forget the replica");
        await UntilAsync(async () => Convert.ToInt64(await RootAsync(source, rootPassword, "SELECT count(*) FROM mysql.user WHERE User LIKE 'trove\\_repl\\_%'")) == 0,
            "the replication account to be dropped");
        await AppAsync(source, "INSERT INTO rows_kept VALUES (102)");
        Assert.Equal(101L, Convert.ToInt64(await AppAsync(replica, "SELECT count(*) FROM rows_kept"))); // the two part ways

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{sourceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{replicaId}")).StatusCode);
    }

    private static Task<object?> AppAsync(JsonObject instance, string sql) =>
        EngineClient.ScalarAsync(instance, sql, password: MariaDbInstanceTests.Password, database: AppDb);

    private static Task<object?> RootAsync(JsonObject instance, string password, string sql) =>
        EngineClient.ScalarAsync(instance, sql, user: "root", password: password, database: "mysql");
}
