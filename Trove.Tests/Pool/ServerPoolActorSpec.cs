using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Instances;
using Trove.Actors.Pool;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;
using Trove.Tests.Support;

namespace Trove.Tests.Pool;

public class ServerPoolActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly PoolKey Postgres = new("postgresql", "15");
    private static readonly PoolKey Maria = new("mariadb", "10.11");
    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private readonly TestProbe _instances;
    private readonly TestProbe _tenants;
    private volatile int _tenantInstances; // what the tenant entity answers the pool's look at its quota: its instances (of 3)
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _existingInstances = new();
    private readonly PoolSettings _settings = new() { Size = 1, CheckEvery = TimeSpan.FromMilliseconds(100), ClaimTimeout = TimeSpan.FromMilliseconds(300) };
    private int _started;

    public ServerPoolActorSpec() : base(EntitySpecConfig.InMemory)
    {
        _instances = CreateTestProbe();
        _tenants = CreateTestProbe();
        _tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is TenantCommands.GetQuotas)
                sender.Tell(new TenantReplies.Quotas(new QuotaLimits(3, -1, -1), new QuotaUsage(_tenantInstances, 0, 0, 0)));
            return AutoPilot.KeepRunning;
        }));
        // the instance entities, as far as the pool reaches them: a create answers with its id and whether it came from
        // the pool; an inspect says whether the instance a claim went to exists
        _instances.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is InstanceCommands.Create create)
                sender.Tell(new InstanceReplies.Accepted(State(create.InstanceId, create.FromPool is not null)));
            if (message is InstanceCommands.Inspect inspect)
                sender.Tell(new InstanceReplies.Inspected(_existingInstances.ContainsKey(inspect.InstanceId) ? State(inspect.InstanceId, true) : null, "node", null, []));
            return AutoPilot.KeepRunning;
        }));
    }

    private static InstanceState State(string id, bool fromPool) => InstanceState.Apply(null, new InstanceEvents.Created(id, "t1", "db", "1", 512, 1,
        "postgresql", "15", [], [], DateTimeOffset.UtcNow, FromPool: fromPool));

    /// <summary>A create sent through the pool: the instance it reached (its id, and whether it has a pool's server).</summary>
    private InstanceState Create(IActorRef pool)
    {
        pool.Tell(new PoolCommands.CreateInstance(new InstanceCommands.Create(Guid.NewGuid().ToString(), Requests.Postgres())));
        return ExpectMsg<InstanceReplies.Accepted>().State;
    }

    private IActorRef StartPool(PoolSettings? settings = null) => Sys.ActorOf(ServerPoolActor.Props(_compute, _guests, _instances.Ref, _tenants.Ref,
        _ => Task.FromResult<IReadOnlyList<PoolKey>>([Postgres, Maria]), settings ?? _settings, TimeSpan.FromSeconds(3)), $"pool-{++_started}");

    private IReadOnlyList<PoolMember> Members(IActorRef pool) =>
        pool.Ask<PoolReplies.Listed>(new PoolCommands.List(), RemainingOrDefault).Result.Members;

    private void AwaitReady(IActorRef pool, int count) =>
        AwaitAssert(() => Assert.Equal(count, Members(pool).Count(m => m.Status == PoolMemberStatus.Ready)), TimeSpan.FromSeconds(10));

    private void Stop(IActorRef pool)
    {
        Watch(pool);
        Sys.Stop(pool);
        ExpectTerminated(pool);
    }

    [Fact]
    public void The_pool_makes_each_version_ready_through_the_guest_path_with_its_own_broker_user()
    {
        var pool = StartPool();
        AwaitReady(pool, 2);

        var members = Members(pool);
        Assert.Equal([Maria, Postgres], members.Select(m => m.Key).OrderBy(k => k.Datastore));
        Assert.All(_compute.Requested, spec => Assert.True(spec.Pooled));
        Assert.Equal(members.Select(m => m.Id).Order(), _guests.GrantedBrokerUsers.Order());
        // ready means its guest answered a call (which a pool's guest does once its engine runs)
        Assert.All(members, m => Assert.Contains(_guests.Calls, c => c.InstanceId == m.Id && c.Message.Method == GuestMethods.RpcPing));
    }

    [Fact]
    public void A_create_takes_a_ready_server_and_its_id_and_the_pool_refills()
    {
        var pool = StartPool();
        AwaitReady(pool, 2);
        var ready = Members(pool).Single(m => m.Key == Postgres);

        var claimed = Create(pool);
        Assert.True(claimed.FromPool);
        Assert.Equal(ready.Id, claimed.Id);

        _existingInstances[claimed.Id] = true; // its create went through
        AwaitAssert(() =>
        {
            var now = Members(pool);
            Assert.Single(now, m => m.Key == Postgres && m.Status == PoolMemberStatus.Ready && m.Id != claimed.Id);
            Assert.DoesNotContain(now, m => m.Id == claimed.Id); // settled: the instance's now
        }, TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(claimed.Id, _compute.Deleted);
    }

    [Fact]
    public void A_create_of_a_tenant_at_its_quota_goes_on_without_a_server_of_the_pool()
    {
        var pool = StartPool();
        AwaitReady(pool, 2);
        var ready = Members(pool).Single(m => m.Key == Postgres);
        _tenantInstances = 3;

        var created = Create(pool); // the instance refuses it itself; here the probe only shows what reached it
        Assert.False(created.FromPool);
        Assert.NotEqual(ready.Id, created.Id);
        Assert.Equal(PoolMemberStatus.Ready, Members(pool).Single(m => m.Id == ready.Id).Status);

        _tenantInstances = 2;
        Assert.Equal(ready.Id, Create(pool).Id);
    }

    [Fact]
    public void Two_creates_for_one_ready_server_get_it_once()
    {
        var pool = StartPool(_settings with { CheckEvery = TimeSpan.FromHours(1) });
        AwaitReady(pool, 2);
        _compute.Hold = new TaskCompletionSource(); // the refill stays building

        Assert.True(Create(pool).FromPool);
        Assert.False(Create(pool).FromPool); // passed on with its own id, to make its own server
        _compute.Hold.SetResult();
    }

    [Fact]
    public void A_claim_that_became_no_instance_has_its_server_removed_never_given_again()
    {
        var pool = StartPool();
        AwaitReady(pool, 2);
        var claimed = Create(pool);

        AwaitAssert(() => Assert.Contains(claimed.Id, _compute.Deleted), TimeSpan.FromSeconds(10));
        Assert.Contains(claimed.Id, _guests.DeletedBrokerUsers);
        Assert.Contains(claimed.Id, _guests.DeletedQueues);
        AwaitReady(pool, 2);
        Assert.DoesNotContain(Members(pool), m => m.Id == claimed.Id);
    }

    [Fact]
    public void A_restarted_pool_keeps_its_servers_and_claims_and_resumes_its_builds()
    {
        var settings = _settings with { CheckEvery = TimeSpan.FromHours(1), ClaimTimeout = TimeSpan.FromHours(1) };
        var pool = StartPool(settings);
        AwaitReady(pool, 2);
        _compute.Hold = new TaskCompletionSource(); // the refill's build is cut by the restart
        var claimed = Create(pool);
        AwaitAssert(() => Assert.Contains(Members(pool), m => m.Status == PoolMemberStatus.Building), TimeSpan.FromSeconds(10));
        var building = Members(pool).Single(m => m.Status == PoolMemberStatus.Building).Id;
        Stop(pool);

        _compute.Hold.SetResult();
        _compute.Hold = null;
        pool = StartPool(settings);
        AwaitAssert(() => Assert.Equal(PoolMemberStatus.Ready, Members(pool).Single(m => m.Id == building).Status), TimeSpan.FromSeconds(10));
        var members = Members(pool);
        Assert.Equal(PoolMemberStatus.Claimed, members.Single(m => m.Id == claimed.Id).Status);
        Assert.Equal(3, members.Count);
        // the claimed server is not handed out again
        Assert.Equal(building, Create(pool).Id);
    }

    [Fact]
    public void An_admin_removes_a_ready_server_and_the_pool_makes_another()
    {
        var pool = StartPool();
        AwaitReady(pool, 2);
        var ready = Members(pool).Single(m => m.Key == Postgres).Id;

        pool.Tell(new PoolCommands.Remove(ready));
        ExpectMsg<PoolReplies.Removed>();
        AwaitAssert(() => Assert.Contains(ready, _compute.Deleted), TimeSpan.FromSeconds(10));
        AwaitReady(pool, 2);
        Assert.DoesNotContain(Members(pool), m => m.Id == ready);
    }

    [Fact]
    public void A_ready_server_whose_guest_no_longer_answers_is_removed_and_replaced_never_claimed()
    {
        var pool = StartPool(_settings with { GuestCheckEvery = TimeSpan.FromMilliseconds(100) });
        AwaitReady(pool, 2);
        var dead = Members(pool).Single(m => m.Key == Postgres).Id;
        _guests.Answer = (id, _) => id == dead ? throw new TimeoutException("no answer within 10 s") : null;

        AwaitAssert(() => Assert.DoesNotContain(Members(pool), m => m.Id == dead), TimeSpan.FromSeconds(10));
        AwaitAssert(() => Assert.Contains(dead, _guests.DeletedBrokerUsers), TimeSpan.FromSeconds(10));
        AwaitReady(pool, 2);
        Assert.NotEqual(dead, Create(pool).Id);
    }

    [Fact]
    public void The_servers_of_a_burst_of_claims_are_made_again_once_the_claims_pause()
    {
        var pool = StartPool(_settings with
        {
            Sizes = new Dictionary<string, int> { [Postgres.ToString()] = 3 },
            RefillAfterClaimsPause = TimeSpan.FromSeconds(2),
            RefillWaitsAtMost = TimeSpan.FromMinutes(1),
        });
        AwaitReady(pool, 4);
        var made = _compute.RequestedAll.Count;

        for (var i = 0; i < 3; i++)
            Assert.True(Create(pool).FromPool);
        Thread.Sleep(TimeSpan.FromSeconds(1)); // claims paused for half the pause: no server is made yet, checks or not
        Assert.Equal(made, _compute.RequestedAll.Count);

        AwaitReady(pool, 4); // made again once they paused
        Assert.Equal(made + 3, _compute.RequestedAll.Count);
    }

    [Fact]
    public void Claims_that_never_pause_are_refilled_all_the_same()
    {
        var pool = StartPool(_settings with { RefillAfterClaimsPause = TimeSpan.FromMinutes(1), RefillWaitsAtMost = TimeSpan.FromMilliseconds(500) });
        AwaitReady(pool, 2);

        Assert.True(Create(pool).FromPool);
        AwaitReady(pool, 2); // long before the claims' pause
    }

    [Fact]
    public void A_pool_of_size_zero_makes_nothing()
    {
        var pool = StartPool(_settings with { Size = 0 });
        Assert.False(Create(pool).FromPool);
        Assert.Empty(Members(pool));
        Assert.Empty(_compute.RequestedAll);
    }
}
