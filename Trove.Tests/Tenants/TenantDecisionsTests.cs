using Trove.Actors.Tenants;
using static Trove.Actors.Tenants.TenantCommands;
using static Trove.Actors.Tenants.TenantEvents;

namespace Trove.Tests.Tenants;

public class TenantDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly QuotaLimits Limits = new(Instances: 2, Volumes: 5, Backups: 50, Ram: 2048);

    private static TenantState Fold(TenantState state, TenantDecision decision) => decision.Event is null ? state : state.Apply(decision.Event);

    private static TenantState Holding(params string[] instances) =>
        instances.Aggregate(TenantState.Empty, (s, id) => Fold(s, TenantDecisions.Reserve(s, Limits, new ReserveInstance("t", id, 1, 512), T0)));

    [Fact]
    public void A_reserve_within_the_limits_is_kept_and_a_repeat_keeps_nothing_more()
    {
        var first = TenantDecisions.Reserve(TenantState.Empty, Limits, new ReserveInstance("t", "a", 2, 512), T0);
        Assert.IsType<TenantReplies.Reserved>(first.Reply);
        var reserved = Assert.IsType<InstanceReserved>(first.Event);
        Assert.Equal(("a", 2, 512), (reserved.InstanceId, reserved.VolumeGb, reserved.RamMb));

        var again = TenantDecisions.Reserve(Fold(TenantState.Empty, first), Limits, new ReserveInstance("t", "a", 2, 512), T0);
        Assert.IsType<TenantReplies.Reserved>(again.Reply);
        Assert.Null(again.Event);
    }

    [Fact]
    public void A_reserve_over_a_limit_names_every_resource_over_and_keeps_nothing()
    {
        var decision = TenantDecisions.Reserve(Holding("a", "b"), Limits, new ReserveInstance("t", "c", 4, 1536), T0);
        Assert.Equal(["instances", "volumes", "ram"], Assert.IsType<TenantReplies.QuotaExceeded>(decision.Reply).Resources);
        Assert.Null(decision.Event);
    }

    [Fact]
    public void A_release_is_kept_once_and_the_released_instance_never_reserves_again()
    {
        var state = Holding("a");
        var release = TenantDecisions.Release(state, new ReleaseInstance("t", "a"), T0);
        Assert.IsType<TenantReplies.Released>(release.Reply);
        state = Fold(state, release);
        Assert.Equal(0, state.Usage.Instances);

        var repeat = TenantDecisions.Release(state, new ReleaseInstance("t", "a"), T0);
        Assert.IsType<TenantReplies.Released>(repeat.Reply);
        Assert.Null(repeat.Event);

        // a reserve still on its way from a create that gave up: it must not take the quota after the release
        var late = TenantDecisions.Reserve(state, Limits, new ReserveInstance("t", "a", 1, 512), T0);
        Assert.IsType<TenantReplies.AlreadyReleased>(late.Reply);
        Assert.Null(late.Event);
    }

    [Fact]
    public void Releasing_an_instance_never_reserved_still_closes_its_id()
    {
        var state = Fold(TenantState.Empty, TenantDecisions.Release(TenantState.Empty, new ReleaseInstance("t", "ghost"), T0));
        Assert.Equal(0, state.Usage.Instances);
        Assert.IsType<TenantReplies.AlreadyReleased>(TenantDecisions.Reserve(state, Limits, new ReserveInstance("t", "ghost", 1, 512), T0).Reply);
    }

    [Fact]
    public void A_resize_counts_only_the_growth_against_the_limits()
    {
        var state = Holding("a", "b"); // 2 GB, 1024 MB held
        Assert.IsType<TenantReplies.Reserved>(TenantDecisions.Resize(state, Limits, new ResizeInstance("t", "a", 4, 512), T0).Reply);
        Assert.Equal(["volumes"], Assert.IsType<TenantReplies.QuotaExceeded>(
            TenantDecisions.Resize(state, Limits, new ResizeInstance("t", "a", 5, 512), T0).Reply).Resources);
        var released = Fold(state, TenantDecisions.Release(state, new ReleaseInstance("t", "a"), T0));
        Assert.IsType<TenantReplies.AlreadyReleased>(TenantDecisions.Resize(released, Limits, new ResizeInstance("t", "a", 2, 512), T0).Reply);
    }

    [Fact]
    public void A_resize_giving_its_growth_back_is_never_refused_even_under_limits_lowered_meanwhile()
    {
        var grown = Fold(Holding("a", "b"), TenantDecisions.Resize(Holding("a", "b"), Limits, new ResizeInstance("t", "a", 4, 512), T0));
        var lowered = Fold(grown, TenantDecisions.SetQuotas(grown, Limits, new SetQuotas("t", new Dictionary<string, int> { ["volumes"] = 1 }), T0));
        var givenBack = TenantDecisions.Resize(lowered, Limits, new ResizeInstance("t", "a", 1, 512), T0);
        Assert.IsType<TenantReplies.Reserved>(givenBack.Reply);
        Assert.Equal(2, Fold(lowered, givenBack).Usage.Volumes);
    }

    [Fact]
    public void Quotas_are_set_only_for_known_resources_and_sane_limits()
    {
        Assert.Contains("bogus", Assert.IsType<TenantReplies.InvalidQuotas>(
            TenantDecisions.SetQuotas(TenantState.Empty, Limits, new SetQuotas("t", new Dictionary<string, int> { ["bogus"] = 1 }), T0).Reply).Message);
        Assert.IsType<TenantReplies.InvalidQuotas>(
            TenantDecisions.SetQuotas(TenantState.Empty, Limits, new SetQuotas("t", new Dictionary<string, int> { ["ram"] = -2 }), T0).Reply);
        var set = TenantDecisions.SetQuotas(TenantState.Empty, Limits, new SetQuotas("t", new Dictionary<string, int> { ["instances"] = 7 }), T0);
        Assert.Equal(7, Assert.IsType<TenantReplies.Quotas>(set.Reply).Limits.Instances);
        Assert.IsType<QuotasSet>(set.Event);
    }

    [Fact]
    public void Backups_are_counted_one_per_backup_id_up_to_the_limit_and_a_released_one_never_counts_again()
    {
        var two = new QuotaLimits(-1, -1, Backups: 2);
        var state = TenantState.Empty;
        foreach (var id in new[] { "b1", "b2", "b1" })
        {
            var decision = TenantDecisions.ReserveBackup(state, two, new ReserveBackup("t", id), T0);
            Assert.IsType<TenantReplies.Reserved>(decision.Reply);
            state = Fold(state, decision);
        }
        Assert.Equal(2, state.Usage.Backups);

        var over = TenantDecisions.ReserveBackup(state, two, new ReserveBackup("t", "b3"), T0);
        Assert.Equal("Quota exceeded for resources: ['backups'].", Assert.IsType<TenantReplies.QuotaExceeded>(over.Reply).Message);
        Assert.Null(over.Event);

        state = Fold(state, TenantDecisions.ReleaseBackup(state, new ReleaseBackup("t", "b1"), T0));
        Assert.Equal(1, state.Usage.Backups);
        Assert.Null(TenantDecisions.ReleaseBackup(state, new ReleaseBackup("t", "b1"), T0).Event);
        Assert.IsType<TenantReplies.AlreadyReleased>(TenantDecisions.ReserveBackup(state, two, new ReserveBackup("t", "b1"), T0).Reply);
        // a release that overtook its reserve: the late reserve takes nothing
        state = Fold(state, TenantDecisions.ReleaseBackup(state, new ReleaseBackup("t", "b9"), T0));
        Assert.IsType<TenantReplies.AlreadyReleased>(TenantDecisions.ReserveBackup(state, two, new ReserveBackup("t", "b9"), T0).Reply);
        Assert.Equal(1, state.Usage.Backups);
    }
}
