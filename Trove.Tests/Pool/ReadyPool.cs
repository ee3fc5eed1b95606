using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Pool;
using Trove.Actors.Tenants;
using Trove.Tests.Support;

namespace Trove.Tests.Pool;

/// <summary>A pool of PostgreSQL 15 servers on fake compute, its tenants answering any quota with room, started and
/// waited for until <paramref name="size"/> servers are READY; the creates it forwards go to <paramref name="instances"/>.</summary>
public static class ReadyPool
{
    public static readonly PoolKey Postgres = new("postgresql", "15");

    public static IActorRef Start(TestKitBase kit, int size, IActorRef instances)
    {
        var tenants = kit.CreateTestProbe();
        tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is TenantCommands.GetQuotas)
                sender.Tell(new TenantReplies.Quotas(new QuotaLimits(100, -1, -1), new QuotaUsage(0, 0, 0, 0)));
            return AutoPilot.KeepRunning;
        }));
        var pool = kit.Sys.ActorOf(ServerPoolActor.Props(new FakeCompute(), new FakeGuestRpc(), instances, tenants.Ref,
            _ => Task.FromResult<IReadOnlyList<PoolKey>>([Postgres]),
            new PoolSettings { Size = size, BuildsAtOnce = size, CheckEvery = TimeSpan.FromHours(1) }, TimeSpan.FromSeconds(3)), "pool");
        kit.AwaitAssert(() => Assert.Equal(size, Members(kit, pool).Count(m => m.Status == PoolMemberStatus.Ready)), TimeSpan.FromSeconds(30));
        return pool;
    }

    public static IReadOnlyList<PoolMember> Members(TestKitBase kit, IActorRef pool) =>
        pool.Ask<PoolReplies.Listed>(new PoolCommands.List(), kit.RemainingOrDefault).Result.Members;
}
