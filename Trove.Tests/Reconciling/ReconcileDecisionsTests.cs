using Trove.Actors.Compute;
using Trove.Actors.Instances;
using Trove.Actors.Reconciling;

namespace Trove.Tests.Reconciling;

public sealed class ReconcileDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromMinutes(2), RestartGrace = TimeSpan.FromSeconds(5);
    private static readonly IReadOnlyDictionary<Repair, DateTimeOffset> None = new Dictionary<Repair, DateTimeOffset>();

    private static HostedServer Server(string id, ServerStatus status = ServerStatus.Active) => new(id, new Server(id, status, "127.0.0.1", 1));

    private static Observed Seen(string[] live, HostedServer[] servers, string[] users) => new(live.ToHashSet(), servers, users);

    [Fact]
    public void Nothing_is_done_while_servers_and_users_match_live_instances_with_running_guests()
    {
        var (suspects, due) = ReconcileDecisions.Sweep(Seen(["a", "b"], [Server("a"), Server("b")], ["a", "b"]), None, T0, OrphanGrace, RestartGrace);
        Assert.Empty(suspects);
        Assert.Empty(due);
    }

    [Fact]
    public void An_orphan_is_removed_only_once_it_stayed_an_orphan_for_the_grace()
    {
        var seen = Seen(["a"], [Server("a"), Server("gone")], ["a", "gone"]);
        var (suspects, due) = ReconcileDecisions.Sweep(seen, None, T0, OrphanGrace, RestartGrace);
        Assert.Empty(due); // the read model may just not have the instance yet
        Assert.Equal(2, suspects.Count);

        (suspects, due) = ReconcileDecisions.Sweep(seen, suspects, T0 + OrphanGrace - TimeSpan.FromSeconds(1), OrphanGrace, RestartGrace);
        Assert.Empty(due);

        (_, due) = ReconcileDecisions.Sweep(seen, suspects, T0 + OrphanGrace, OrphanGrace, RestartGrace);
        Assert.Equal([new RemoveServer("gone", "gone"), new RemoveBrokerUser("gone")], due.OrderBy(r => r is RemoveBrokerUser));
    }

    [Fact]
    public void A_suspect_that_is_no_longer_seen_is_forgotten_and_starts_its_grace_again()
    {
        var orphan = Seen([], [Server("x")], []);
        var (suspects, _) = ReconcileDecisions.Sweep(orphan, None, T0, OrphanGrace, RestartGrace);
        (suspects, _) = ReconcileDecisions.Sweep(Seen(["x"], [Server("x")], []), suspects, T0 + TimeSpan.FromMinutes(1), OrphanGrace, RestartGrace);
        Assert.Empty(suspects);
        (_, var due) = ReconcileDecisions.Sweep(orphan, suspects, T0 + TimeSpan.FromMinutes(3), OrphanGrace, RestartGrace);
        Assert.Empty(due);
    }

    [Fact]
    public void A_half_made_server_is_left_to_its_live_instance_s_build_and_removed_when_no_instance_owns_it()
    {
        var seen = Seen(["building"], [Server("building", ServerStatus.Build), Server("killed", ServerStatus.Build)], []);
        var (suspects, _) = ReconcileDecisions.Sweep(seen, None, T0, OrphanGrace, RestartGrace);
        (_, var due) = ReconcileDecisions.Sweep(seen, suspects, T0 + OrphanGrace, OrphanGrace, RestartGrace);
        Assert.Equal([new RemoveServer("killed", "killed")], due);
    }

    [Fact]
    public void A_live_instances_stopped_guest_is_restarted_after_its_own_shorter_grace()
    {
        var seen = Seen(["a"], [Server("a", ServerStatus.Shutdown)], ["a"]);
        var (suspects, due) = ReconcileDecisions.Sweep(seen, None, T0, OrphanGrace, RestartGrace);
        Assert.Empty(due);
        (_, due) = ReconcileDecisions.Sweep(seen, suspects, T0 + RestartGrace, OrphanGrace, RestartGrace);
        Assert.Equal([new RestartGuest("a", "a")], due);
    }

    public static TheoryData<string, bool, bool, bool> Confirmations() => new()
    {
        // repair, entity exists, entity deleted, confirmed
        { "remove-server", false, false, true },
        { "remove-server", true, true, true },
        { "remove-server", true, false, false },
        { "remove-user", false, false, true },
        { "remove-user", true, false, false },
        { "restart", true, false, true },
        { "restart", true, true, false },
        { "restart", false, false, false },
        { "adopt", true, false, true },
        { "adopt", true, true, false },
        { "adopt", false, false, false },
    };

    [Theory]
    [MemberData(nameof(Confirmations))]
    public void The_entity_has_the_last_word(string kind, bool exists, bool deleted, bool confirmed)
    {
        Repair repair = kind switch
        {
            "remove-server" => new RemoveServer("i1", "i1"),
            "remove-user" => new RemoveBrokerUser("i1"),
            "adopt" => new AdoptServer("i1", "i1"),
            _ => new RestartGuest("i1", "i1"),
        };
        var state = exists ? Active("i1") with { IsDeleted = deleted } : null;
        Assert.Equal(confirmed, ReconcileDecisions.Confirmed(repair, state));
    }

    [Fact]
    public void A_guest_is_not_restarted_while_its_instance_is_deleted() =>
        Assert.False(ReconcileDecisions.Confirmed(new RestartGuest("i1", "i1"), Active("i1") with { Task = InstanceTask.Deleting }));

    [Fact]
    public void A_guest_killed_during_its_build_is_restarted_once_the_build_stored_its_server()
    {
        Assert.True(ReconcileDecisions.Confirmed(new RestartGuest("i1", "i1"), Active("i1") with { Task = InstanceTask.Building }));
        Assert.False(ReconcileDecisions.Confirmed(new RestartGuest("i1", "i1"), Active("i1") with { Task = InstanceTask.Building, ServerId = null }));
    }

    [Fact]
    public void The_reconciler_leaves_an_older_releases_live_server_to_the_adopter_even_when_its_guest_stopped()
    {
        var seen = Seen(["a"], [new HostedServer("a", new Server("a", ServerStatus.Shutdown, "127.0.0.1", 1), MadeByOlderRelease: true)], ["a"]);
        var (suspects, _) = ReconcileDecisions.Sweep(seen, None, T0, OrphanGrace, RestartGrace);
        Assert.Empty(suspects);
    }

    [Fact]
    public void An_older_releases_server_without_an_instance_is_removed()
    {
        var seen = Seen([], [Server("gone") with { MadeByOlderRelease = true }], []);
        var (suspects, _) = ReconcileDecisions.Sweep(seen, None, T0, OrphanGrace, RestartGrace);
        Assert.Equal([new RemoveServer("gone", "gone")], suspects.Keys);
    }

    [Fact]
    public void A_building_instances_server_is_adopted_its_prepare_waits_for_the_adopted_guest() =>
        Assert.True(ReconcileDecisions.Confirmed(new AdoptServer("i1", "i1"), Active("i1") with { Task = InstanceTask.Building }));

    [Theory]
    [InlineData(InstanceTask.Resizing, null)]
    [InlineData(InstanceTask.Rebooting, null)]
    [InlineData(InstanceTask.Deleting, null)]
    [InlineData(InstanceTask.None, "backup-1")]
    public void A_server_is_not_adopted_under_work_that_waits_for_its_guest(InstanceTask task, string? runningBackup) =>
        Assert.False(ReconcileDecisions.Confirmed(new AdoptServer("i1", "i1"), Active("i1") with { Task = task, RunningBackupId = runningBackup }));

    private static InstanceState Active(string id) =>
        InstanceState.Apply(InstanceState.Apply(null, new InstanceEvents.Created(id, "demo", "pg1", "small", 512, 1, "postgresql", "15", [], [], T0)),
            new InstanceEvents.ServerCreated(id, "127.0.0.1", 1, T0)) with
        {
            Task = InstanceTask.None,
        };
}
