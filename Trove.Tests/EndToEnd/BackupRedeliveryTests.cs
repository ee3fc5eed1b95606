using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>
/// The guest acks <c>create_backup</c> only once the backup ended, so a guest whose broker connections close while it
/// takes one gets the message again as soon as it reconnects (at-least-once delivery). The guest keeps to the run under
/// way instead of starting a second one beside it (which failed at once on the first one's file and turned the backup
/// FAILED, without a reason, in the 600 s soak): the backup ends COMPLETED and restores.
/// </summary>
[Collection("second-node")]
public sealed class BackupRedeliveryTests(NodeFixture fixture)
{
    private const int Rows = 2_000_000;
    private TroveNode Node => fixture.Node;

    [Fact]
    public async Task A_backup_running_when_its_guests_broker_connections_close_completes_and_restores()
    {
        var sourceId = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("backup-redelivered")))["id"]!;
        var source = await Node.WaitForStatusAsync("demo", sourceId, "ACTIVE", TimeSpan.FromSeconds(120));
        // Some 250 MB that gzip has work with: the backup is still running when the connections close (800,000 rows, 100 MB,
        // were backed up in 2 s on a quiet machine, before the connections were closed).
        await EngineClient.ScalarAsync(source, $"CREATE TABLE kept AS SELECT g AS n, repeat(md5(g::text), 3) AS pad FROM generate_series(1, {Rows}) g; SELECT 1");
        var response = await Node.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "redelivered", instance = sourceId } });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var backupId = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!;

        Assert.Equal("BUILDING", await WaitWhileAsync(backupId, "NEW", TimeSpan.FromSeconds(60)));
        using var management = TestBroker.ManagementClient();
        await TestBroker.CloseConnectionsAsync(management, $"guest-{sourceId}");
        var atClose = await BackupAsync(backupId);
        Assert.True((string?)atClose["status"] == "BUILDING", $"the backup ended before the connections closed, so this test shows nothing: {atClose.ToJsonString()}");

        var ended = await BackupAsync(backupId);
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while ((string?)ended["status"] == "BUILDING" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            ended = await BackupAsync(backupId);
        }
        Assert.True((string?)ended["status"] == "COMPLETED", $"{ended.ToJsonString()}; the guest says:\n{GuestLogOf(sourceId, backupId)}");
        Assert.Null(ended["fault"]);
        // The broker did deliver it again, and the guest did not run it twice. Its intake takes the call again once the
        // call in hand has ended (one at a time), so the line may follow the backup's end by a resubscription's backoff.
        await Poll.UntilAsync(() => Task.FromResult(GuestLogOf(sourceId, backupId).Contains($"create_backup of backup {backupId} came again")),
            "the guest's log of the backup's call delivered again", seconds: 30);

        var restored = await Node.CreateInstanceAsync("demo", new
        {
            instance = new
            {
                name = "backup-redelivered-restored", flavorRef = "small", volume = new { size = 1 },
                datastore = new { type = "postgresql" }, restorePoint = new { backupRef = backupId },
            },
        });
        var restoredActive = await Node.WaitForStatusAsync("demo", (string)restored["id"]!, "ACTIVE", TimeSpan.FromSeconds(180));
        Assert.Equal((long)Rows, Convert.ToInt64(await EngineClient.ScalarAsync(restoredActive, "SELECT count(*) FROM kept")));

        foreach (var id in new[] { sourceId, (string)restored["id"]! })
            Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
    }

    /// <summary>What the guest logged of the backup and of its consumer (the data dir goes with the node).</summary>
    private string GuestLogOf(string serverId, string backupId) => string.Join("\n",
        File.ReadLines(Path.Combine(Node.ServersDir, serverId, "guest.log")).Where(l => l.Contains(backupId) || l.Contains("consumer")).TakeLast(20));

    private async Task<JsonObject> BackupAsync(string id) =>
        (await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/backups/{id}"))!["backup"]!.AsObject();

    /// <summary>The backup's status once it is no longer <paramref name="status"/>.</summary>
    private async Task<string?> WaitWhileAsync(string id, string status, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while ((string?)(await BackupAsync(id))["status"] is var shown && shown == status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"backup {id} is still {status}");
            await Task.Delay(50);
        }
        return (string?)(await BackupAsync(id))["status"];
    }
}
