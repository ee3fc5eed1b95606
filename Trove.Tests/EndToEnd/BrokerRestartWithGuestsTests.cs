using System.Diagnostics;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>
/// The broker stopped and started under a node and five real guests (four PostgreSQL, one MariaDB) that heartbeat,
/// while a backup runs and guest calls are in flight: everything reconnects by itself, every instance is HEALTHY again
/// within the heartbeat expiry, the backup ends, and a call the API answered with an error never runs later. On a
/// RabbitMQ of the test's own, so that the shared broker other tests use stays up.
/// </summary>
[Collection("second-node")]
public sealed class BrokerRestartWithGuestsTests
{
    private static readonly TimeSpan HeartbeatExpiry = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan GuestCallTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task After_a_broker_restart_guests_are_healthy_the_backup_ends_and_a_timed_out_call_never_runs()
    {
        await using var broker = await PrivateRabbitMq.StartAsync();
        var settings = new Dictionary<string, string>(broker.NodeSettings())
        {
            ["Trove__Instances__HeartbeatExpiry"] = HeartbeatExpiry.ToString(),
            ["Trove__Instances__GuestCallTimeout"] = GuestCallTimeout.ToString(),
        };
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), settings);
        var created = new List<string>();
        for (var i = 0; i < 4; i++)
            created.Add((string)(await node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody($"pg-broker-{i}")))["id"]!);
        created.Add((string)(await node.CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody("maria-broker")))["id"]!);
        var instances = new List<JsonObject>();
        foreach (var id in created)
            instances.Add(await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(240)));
        await WaitAllHealthyAsync(node, created, TimeSpan.FromSeconds(60));
        var (backupSource, paused, busy, lateTarget) = (created[0], created[1], created[2], created[3]);

        // Rows written before, read back after; enough of them that the backup takes a moment.
        await EngineClient.ScalarAsync(instances[0], "CREATE TABLE kept AS SELECT g AS n, repeat('x', 200) AS pad FROM generate_series(1, 300000) g; SELECT 1");
        var backup = await node.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "during-broker-restart", instance = backupSource } });
        Assert.Equal(HttpStatusCode.Accepted, backup.StatusCode);
        var backupId = (string)(await backup.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!;
        await WaitForBackupTakenAsync(node, backupId);

        // In flight as the broker goes: a create to a guest that cannot take it (paused, as a guest busy elsewhere or a
        // frozen server would be), whose caller gives up while the broker is away; a list on a running guest.
        var pausedGuest = node.GuestPid(paused);
        Programs.Signal(pausedGuest, "STOP");
        var neverRuns = Timed(() => node.Http.PostAsJsonAsync($"v1.0/demo/instances/{paused}/databases", new { databases = new[] { new { name = "never_runs" } } }));
        var listing = Timed(() => node.Http.GetAsync($"v1.0/demo/instances/{busy}/databases"));
        await Task.Delay(500); // both calls are in the broker

        var backupWhenStopped = await BackupStatusAsync(node, backupId);
        await broker.StopAsync();
        var stopped = Stopwatch.StartNew();
        // A call made while the broker is away answers too, one way or the other.
        var duringOutage = Timed(() => node.Http.PostAsJsonAsync($"v1.0/demo/instances/{lateTarget}/databases", new { databases = new[] { new { name = "during_outage" } } }));
        await Task.Delay(TimeSpan.FromSeconds(3));
        await broker.StartAgainAsync();
        var outage = stopped.Elapsed;
        var back = Stopwatch.StartNew();

        // The paused guest's caller gave up with an error answer, and its call expired in the broker meanwhile.
        var (neverRunsAnswer, neverRunsTook) = await neverRuns;
        Assert.True(neverRunsAnswer.StatusCode >= HttpStatusCode.InternalServerError, $"{neverRunsAnswer.StatusCode}: {await neverRunsAnswer.Content.ReadAsStringAsync()}");
        Assert.True(neverRunsTook < GuestCallTimeout + TimeSpan.FromSeconds(10), $"the call answered after {neverRunsTook}");
        await Task.Delay(GuestCallTimeout); // the call's expiration passed, whatever the clocks
        Programs.Signal(pausedGuest, "CONT");

        // Every in-flight call answered within its timeout: a result or Trove's error body.
        foreach (var (answer, took) in new[] { await listing, await duringOutage })
        {
            Assert.True(took < GuestCallTimeout + TimeSpan.FromSeconds(10), $"a call answered after {took}");
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.IsSuccessStatusCode || (answer.StatusCode >= HttpStatusCode.InternalServerError && body.Contains("\"code\"")), $"{answer.StatusCode}: {body}");
        }

        // The backup may still run on a slow machine: its instance shows BACKUP until it ends.
        await WaitAllHealthyAsync(node, created, HeartbeatExpiry, whileBackingUp: backupSource);
        var healthyAfter = back.Elapsed;

        // The paused guest answers again, and the call it never took did not run late.
        Assert.DoesNotContain("never_runs", await DatabaseNamesAsync(node, paused));
        var duringOutageCreated = (await duringOutage).Answer.StatusCode == HttpStatusCode.Accepted;
        Assert.Equal(duringOutageCreated, (await DatabaseNamesAsync(node, lateTarget)).Contains("during_outage"));

        var ended = await WaitForBackupEndAsync(node, backupId, TimeSpan.FromSeconds(180));
        await WaitAllHealthyAsync(node, created, TimeSpan.FromSeconds(30));
        Assert.Equal(300000L, Convert.ToInt64(await EngineClient.ScalarAsync(instances[0], "SELECT count(*) FROM kept")));

        Console.WriteLine($"broker restart: down {outage.TotalSeconds:0.0} s; all 5 HEALTHY {healthyAfter.TotalSeconds:0.0} s after it was back; " +
                          $"backup {backupWhenStopped} at the stop, then {ended["status"]}; list {(await listing).Answer.StatusCode}; create during the outage {(await duringOutage).Answer.StatusCode}");
    }

    private static async Task<(HttpResponseMessage Answer, TimeSpan Took)> Timed(Func<Task<HttpResponseMessage>> call)
    {
        var watch = Stopwatch.StartNew();
        var answer = await Task.Run(call);
        return (answer, watch.Elapsed);
    }


    /// <summary>The databases the guest lists, asked again until it answers.</summary>
    private static async Task<IReadOnlyList<string>> DatabaseNamesAsync(TroveNode node, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            using var response = await node.Http.GetAsync($"v1.0/demo/instances/{id}/databases");
            if (response.StatusCode == HttpStatusCode.OK)
                return (await response.Content.ReadFromJsonAsync<JsonObject>())!["databases"]!.AsArray().Select(d => (string)d!["name"]!).ToList();
            Assert.True(DateTime.UtcNow < deadline, $"the guest of {id} never answered: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(500);
        }
    }

    /// <summary>Until every instance is ACTIVE and HEALTHY; <paramref name="whileBackingUp"/> may be BACKUP and HEALTHY.</summary>
    private static async Task WaitAllHealthyAsync(TroveNode node, IReadOnlyList<string> ids, TimeSpan within, string? whileBackingUp = null)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var shown = new List<string>();
            var healthy = true;
            foreach (var id in ids)
            {
                var instance = await node.ShowAsync("demo", id);
                var (status, operating) = ((string?)instance?["status"], (string?)instance?["operating_status"]);
                shown.Add($"{status}/{operating}");
                healthy &= operating == "HEALTHY" && (status == "ACTIVE" || (status == "BACKUP" && id == whileBackingUp));
            }
            if (healthy)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"not all HEALTHY within {within.TotalSeconds} s: {string.Join(", ", shown)}; see {node.DataDir}/node.log");
            await Task.Delay(250);
        }
    }

    private static async Task<string?> BackupStatusAsync(TroveNode node, string id) =>
        (string?)(await node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/backups/{id}"))!["backup"]!["status"];

    /// <summary>Until the guest has the backup in hand (BUILDING), or it already ended.</summary>
    private static async Task WaitForBackupTakenAsync(TroveNode node, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await BackupStatusAsync(node, id) is var shown && shown == "NEW")
        {
            Assert.True(DateTime.UtcNow < deadline, $"backup {id} is still NEW");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonObject> WaitForBackupEndAsync(TroveNode node, string id, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var backup = (await node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/backups/{id}"))!["backup"]!.AsObject();
            if ((string?)backup["status"] is "COMPLETED" or "FAILED")
                return backup;
            Assert.True(DateTime.UtcNow < deadline, $"backup {id} is stuck: {backup.ToJsonString()}; see {node.DataDir}/node.log");
            await Task.Delay(500);
        }
    }
}
