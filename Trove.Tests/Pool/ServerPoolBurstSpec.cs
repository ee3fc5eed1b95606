using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Instances;
using Trove.Actors.Pool;
using Trove.Actors.Tenants;
using Trove.Tests.Support;

namespace Trove.Tests.Pool;

/// <summary>A burst of creates at a pool whose journal writes are slow (<see cref="SlowJournal"/>), as on a loaded disk:
/// the creates that come while a claim is written are claimed together, not one journal write after the other.</summary>
public sealed class ServerPoolBurstSpec() : Akka.TestKit.Xunit2.TestKit(SlowJournal.Config)
{
    private const int Burst = 10;

    [Fact]
    public void The_creates_of_a_burst_are_claimed_in_a_few_journal_writes_each_with_a_server_of_its_own()
    {
        var instances = CreateTestProbe();
        var pool = ReadyPool.Start(this, Burst, instances.Ref);
        SlowJournal.Writes.TryRemove("server-pool", out _);

        for (var i = 0; i < Burst; i++)
            pool.Tell(new PoolCommands.CreateInstance(new InstanceCommands.Create(Guid.NewGuid().ToString(), Requests.Postgres())));
        var forwarded = Enumerable.Range(0, Burst).Select(_ => instances.ExpectMsg<InstanceCommands.Create>(TimeSpan.FromSeconds(30))).ToList();

        Assert.All(forwarded, create => Assert.NotNull(create.FromPool));
        Assert.Equal(Burst, forwarded.Select(create => create.InstanceId).Distinct().Count());
        var claimWrites = SlowJournal.Writes["server-pool"].Count(write => write.Any(e => e is PoolEvents.ServerClaimed));
        Assert.True(claimWrites <= 3, $"the {Burst} claims took {claimWrites} journal writes");
    }
}
