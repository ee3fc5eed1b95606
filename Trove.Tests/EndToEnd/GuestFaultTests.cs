using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>Faults of a server, on the real stack: a guest killed with SIGKILL comes back by itself.</summary>
public sealed class GuestFaultTests(GuestFaultTests.FastReconcileNode fixture) : IClassFixture<GuestFaultTests.FastReconcileNode>
{
    /// <summary>The class's node, shared by its facts: each faults only its own instance's server. A killed guest is
    /// started again only after its heartbeats expired, so that its instance shows the ERROR between.</summary>
    public sealed class FastReconcileNode : NodeFixture
    {
        protected override IDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Trove__Reconcile__Every"] = "00:00:01",
            ["Trove__Reconcile__RestartGrace"] = "00:00:10",
            ["Trove__Reconcile__OrphanGrace"] = "00:00:03",
            ["Trove__Instances__HeartbeatExpiry"] = "00:00:05",
        };
    }

    private TroveNode Node => fixture.Node;

    [Fact]
    public async Task A_killed_guest_turns_its_instance_error_then_is_started_again_and_reports_healthy()
    {
        var node = Node;
        var id = (string)(await node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-guest-kill")))["id"]!;
        var active = await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120));
        await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(90));
        var guest = node.GuestPid(id);

        Programs.Signal(guest, "KILL");

        await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(90), after: s => s == "ERROR");
        Assert.NotEqual(guest, node.GuestPid(id));
        Assert.Equal(42, await PostgresInstanceTests.QueryAsAppAsync(active)); // its engine and data are still there
    }

    /// <summary>A guest started again whose engine cannot start (here a setting PostgreSQL refuses; a slow crash recovery
    /// is the same case, shorter) goes on reporting, SHUTDOWN, instead of going silent until its instance turns ERROR,
    /// and its watchdog starts the engine once it can.</summary>
    [Fact]
    public async Task A_guest_started_again_reports_an_engine_that_cannot_start_and_starts_it_once_it_can()
    {
        var node = Node;
        var id = (string)(await node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-engine-wont-start")))["id"]!;
        var active = await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120));
        await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(90));
        var data = Path.Combine(node.ServersDir, id, "postgres", "data");
        var settings = await File.ReadAllTextAsync(Path.Combine(data, "postgresql.conf"));
        await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), "\nnot_a_setting_of_postgresql = on\n");
        var engine = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First().Trim());

        Programs.Signal(node.GuestPid(id), "KILL");
        Programs.Signal(engine, "KILL");

        await node.WaitForOperatingStatusAsync("demo", id, "SHUTDOWN", TimeSpan.FromSeconds(90)); // from the new guest: the killed one cannot report
        // The new guest reports SHUTDOWN as soon as it connects, which may be before its first start has read the
        // settings: they are mended only once that start has failed.
        await Poll.UntilAsync(async () => (await File.ReadAllTextAsync(Path.Combine(node.ServersDir, id, "guest.log"))).Contains("starting the engine failed"),
            "the new guest's first start of the engine failing", seconds: 60);
        await File.WriteAllTextAsync(Path.Combine(data, "postgresql.conf"), settings);
        await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(90));
        Assert.Equal(42, await PostgresInstanceTests.QueryAsAppAsync(active));
    }
}
