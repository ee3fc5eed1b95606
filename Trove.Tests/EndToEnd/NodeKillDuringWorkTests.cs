using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;
using Xunit.Abstractions;

namespace Trove.Tests.EndToEnd;

/// <summary>kill -9 of the single node while it builds, backs up, restarts and deletes; the same data dir started
/// again finishes every piece of work and leaves nothing of the deleted instance behind. How far each piece got before
/// the kill varies from run to run; the test's output says.</summary>
[Collection("restart")]
public sealed class NodeKillDuringWorkTests(ITestOutputHelper output)
{
    /// <summary>Concurrent PostgreSQL builds (the demo tenant's instance quota is raised to hold them).</summary>
    private const int Builds = 10;

    private static readonly Dictionary<string, string> FastReconcile = new()
    {
        ["Trove__Reconcile__Every"] = "00:00:01",
        ["Trove__Reconcile__OrphanGrace"] = "00:00:03",
        ["Trove__Quotas__Instances"] = "20",
    };

    [Fact]
    public async Task Builds_a_backup_a_restart_and_a_delete_in_progress_when_the_node_is_killed_all_end_after_it_starts_again()
    {
        var dataDir = TroveNode.NewDataDir();
        var first = await TroveNode.StartAsync(dataDir, FastReconcile);
        string backedUp, restarted, doomed, backupId;
        List<string> built;
        try
        {
            var ready = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => first.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody($"kill-ready-{i}"))));
            (backedUp, restarted) = ((string)ready[0]["id"]!, (string)ready[1]["id"]!);
            foreach (var id in new[] { backedUp, restarted })
                await first.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(180));

            // Everything at once: the builds, the backup, the restart, a create deleted at once.
            var builds = Task.WhenAll(Enumerable.Range(0, Builds).Select(i => first.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody($"kill-build-{i}"))));
            var backup = first.Http.PostAsJsonAsync("v1.0/demo/backups", new { backup = new { name = "killed", instance = backedUp } });
            var restart = first.Http.PostAsJsonAsync($"v1.0/demo/instances/{restarted}/action", new { restart = new { } });
            doomed = (string)(await first.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("kill-deleted")))["id"]!;
            Assert.Equal(HttpStatusCode.Accepted, (await first.Http.DeleteAsync($"v1.0/demo/instances/{doomed}")).StatusCode);
            built = (await builds).Select(b => (string)b["id"]!).ToList();
            var backupResponse = await backup;
            Assert.Equal(HttpStatusCode.Accepted, backupResponse.StatusCode);
            backupId = (string)(await backupResponse.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!["id"]!;
            Assert.Equal(HttpStatusCode.Accepted, (await restart).StatusCode);

            // At once: servers being made, the restart and the backup under way, the delete in progress.
            var statuses = await Task.WhenAll(built.Append(restarted).Append(backedUp).Append(doomed).Select(id => first.ShowAsync("demo", id)));
            await first.KillAsync();
            output.WriteLine($"killed with {string.Join(", ", statuses.Select(s => $"{s?["name"]}={s?["status"]}"))}");
        }
        catch
        {
            first.KeepLog = true;
            await first.DisposeAsync();
            throw;
        }

        TroveNode second;
        try
        {
            second = await TroveNode.StartAsync(dataDir, FastReconcile);
        }
        catch
        {
            first.KeepLog = true;
            await first.DisposeAsync(); // the same data dir: the guests, servers and users the killed node left
            throw;
        }
        await using var _ = second;
        try
        {
            var clock = Stopwatch.StartNew();
            foreach (var id in built)
            {
                var active = await second.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(300));
                Assert.Equal("HEALTHY", (string?)active["operating_status"]);
            }
            output.WriteLine($"{Builds} builds ACTIVE {clock.Elapsed.TotalSeconds:0.0} s after the start");

            var deadline = DateTime.UtcNow.AddSeconds(180);
            JsonObject shown;
            do
            {
                await Task.Delay(500);
                shown = (await second.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/backups/{backupId}"))!["backup"]!.AsObject();
            } while ((string?)shown["status"] is "NEW" or "BUILDING" && DateTime.UtcNow < deadline);
            output.WriteLine($"backup {shown.ToJsonString()}");
            Assert.True((string?)shown["status"] is "COMPLETED" || (string?)shown["status"] is "FAILED" && !string.IsNullOrEmpty((string?)shown["fault"]),
                $"the backup is {shown.ToJsonString()}");

            // The restart resumed or ended (not REBOOT) and the backup let its instance go (not BACKUP).
            foreach (var id in new[] { restarted, backedUp })
                Assert.Equal("HEALTHY", (string?)(await second.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120)))["operating_status"]);

            deadline = DateTime.UtcNow.AddSeconds(120);
            while (await second.LeftOfDeletedAsync("demo", doomed) is { } left)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the deleted instance {doomed} left {left} behind; see {dataDir}/node.log");
                await Task.Delay(500);
            }
            output.WriteLine($"all done {clock.Elapsed.TotalSeconds:0.0} s after the start");
        }
        catch
        {
            second.KeepLog = true;
            throw;
        }
    }
}
