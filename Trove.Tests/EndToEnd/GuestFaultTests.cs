using System.Diagnostics;
using System.Net;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>Faults of a server, on the real stack: a guest killed with SIGKILL comes back by itself, and a delete
/// during a build leaves no server, process, OS user or broker user behind.</summary>
[Collection("node")]
public sealed class GuestFaultTests
{
    private static readonly Dictionary<string, string> FastReconcile = new()
    {
        ["Trove__Reconcile__Every"] = "00:00:01",
        ["Trove__Reconcile__RestartGrace"] = "00:00:01",
        ["Trove__Reconcile__OrphanGrace"] = "00:00:03",
        ["Trove__Instances__HeartbeatExpiry"] = "00:00:05",
    };

    [Fact]
    public async Task A_killed_guest_turns_its_instance_error_then_is_started_again_and_reports_healthy()
    {
        // The guest is started again only after its heartbeats expired, so that the instance shows the ERROR between.
        var settings = new Dictionary<string, string>(FastReconcile) { ["Trove__Reconcile__RestartGrace"] = "00:00:10" };
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), settings);
        var id = (string)(await node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-guest-kill")))["id"]!;
        var active = await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120));
        await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(90));
        var guest = node.GuestPid(id);

        Process.Start("kill", ["-KILL", guest.ToString()])!.WaitForExit();

        await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(90), after: s => s == "ERROR");
        Assert.NotEqual(guest, node.GuestPid(id));
        Assert.Equal(42, await PostgresInstanceTests.QueryAsAppAsync(active)); // its engine and data are still there
    }

    [Fact]
    public async Task A_delete_during_the_build_leaves_nothing_of_the_instance_running()
    {
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), FastReconcile);
        var id = (string)(await node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-early-delete")))["id"]!;
        var deleted = await node.Client("demo").DeleteAsync($"v1.0/demo/instances/{id}");
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (await node.LeftOfDeletedAsync("demo", id) is { } left)
        {
            Assert.True(DateTime.UtcNow < deadline, $"instance {id} left {left} behind; see {node.DataDir}/node.log");
            await Task.Delay(500);
        }
    }
}
