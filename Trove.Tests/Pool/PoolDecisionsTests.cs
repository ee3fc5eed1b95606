using Trove.Actors.Pool;
using static Trove.Actors.Pool.PoolEvents;

namespace Trove.Tests.Pool;

public class PoolDecisionsTests
{
    private static readonly PoolKey Postgres = new("postgresql", "15");
    private static readonly PoolKey Maria = new("mariadb", "10.11");
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private int _ids;

    private string NewId() => $"s{++_ids}";

    private static PoolState Play(params IPoolEvent[] events) => events.Aggregate(PoolState.Empty, PoolState.Apply);

    [Fact]
    public void Refill_makes_each_version_up_to_its_size_and_a_claimed_server_does_not_count()
    {
        var state = Play(new ServerRequested("a", "postgresql", "15", T0), new ServerReady("a", "a", "127.42.0.1", 5432, T0),
            new ServerClaimed("a", T0), new ServerRequested("b", "postgresql", "15", T0));

        var requested = PoolDecisions.Refill(state, [(Postgres, 2), (Maria, 1)], NewId, T0);

        Assert.Equal(["postgresql", "mariadb"], requested.Select(r => r.Datastore));
        var filled = requested.Aggregate(state, (s, e) => PoolState.Apply(s, e));
        Assert.Empty(PoolDecisions.Refill(filled, [(Postgres, 2), (Maria, 1)], NewId, T0));
    }

    [Fact]
    public void Refill_keeps_no_more_builds_on_their_way_than_it_may_make_at_once()
    {
        var state = Play(new ServerRequested("a", "postgresql", "15", T0));

        var requested = PoolDecisions.Refill(state, [(Postgres, 5), (Maria, 5)], NewId, T0, buildsAtOnce: 3);

        Assert.Equal(2, requested.Count);
        var building = requested.Aggregate(state, (s, e) => PoolState.Apply(s, e));
        Assert.Empty(PoolDecisions.Refill(building, [(Postgres, 5), (Maria, 5)], NewId, T0, buildsAtOnce: 3));
        var oneReady = PoolState.Apply(building, new ServerReady("a", "a", "127.42.0.1", 5432, T0));
        Assert.Single(PoolDecisions.Refill(oneReady, [(Postgres, 5), (Maria, 5)], NewId, T0, buildsAtOnce: 3));
    }

    [Fact]
    public void A_claim_takes_a_ready_server_of_its_version_once_only()
    {
        var state = Play(new ServerRequested("a", "postgresql", "15", T0), new ServerRequested("b", "postgresql", "15", T0),
            new ServerReady("a", "a", "127.42.0.1", 5432, T0));

        Assert.Null(PoolDecisions.Claim(state, Maria, T0));
        var claimed = PoolDecisions.Claim(state, Postgres, T0);
        Assert.Equal("a", claimed!.Id);
        // b is still building: a second claim finds nothing ready, never a
        Assert.Null(PoolDecisions.Claim(PoolState.Apply(state, claimed), Postgres, T0));
    }

    [Fact]
    public void A_claim_is_settled_when_its_instance_exists_and_its_server_removed_when_not()
    {
        var state = Play(new ServerRequested("a", "postgresql", "15", T0), new ServerReady("a", "a", "127.42.0.1", 5432, T0),
            new ServerClaimed("a", T0));

        Assert.Empty(PoolDecisions.ClaimsDue(state, T0 + TimeSpan.FromSeconds(59), TimeSpan.FromMinutes(1)));
        Assert.Equal("a", Assert.Single(PoolDecisions.ClaimsDue(state, T0 + TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1))).Id);
        Assert.IsType<ClaimSettled>(PoolDecisions.ClaimOutcome("a", instanceExists: true, T0));
        Assert.IsType<ServerRemoved>(PoolDecisions.ClaimOutcome("a", instanceExists: false, T0));
        Assert.Empty(PoolState.Apply(state, PoolDecisions.ClaimOutcome("a", instanceExists: true, T0)).Members);
    }

    [Fact]
    public void An_admin_removes_a_server_that_is_not_claimed()
    {
        var state = Play(new ServerRequested("a", "postgresql", "15", T0), new ServerReady("a", "a", "127.42.0.1", 5432, T0),
            new ServerRequested("b", "postgresql", "15", T0), new ServerClaimed("a", T0));

        Assert.NotNull(PoolDecisions.Remove(state, "a", T0).Refusal);
        Assert.NotNull(PoolDecisions.Remove(state, "zzz", T0).Refusal);
        Assert.Equal("b", PoolDecisions.Remove(state, "b", T0).Removed!.Id);
    }
}
