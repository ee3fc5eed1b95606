using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Instances;
using Trove.Actors.Pool;
using Trove.Actors.Tenants;
using Trove.Tests.Support;

namespace Trove.Tests.Pool;

/// <summary>The pool claims a server on its state before the claim is written: a claim the journal rejects forwards no
/// create, and the server stays the pool's for the next one.</summary>
public sealed class ServerPoolRejectedWriteSpec() : Akka.TestKit.Xunit2.TestKit(RejectingJournal.Config)
{
    [Fact]
    public void A_rejected_claim_forwards_nothing_and_leaves_the_server_to_the_next_create()
    {
        var instances = CreateTestProbe();
        var pool = ReadyPool.Start(this, 1, instances.Ref);
        var ready = ReadyPool.Members(this, pool).Single().Id;
        RejectingJournal.RejectNext["server-pool"] = true;

        EventFilter.Exception<InvalidOperationException>(contains: "the journal rejected").ExpectOne(TimeSpan.FromSeconds(10),
            () => pool.Tell(new PoolCommands.CreateInstance(new InstanceCommands.Create(Guid.NewGuid().ToString(), Requests.Postgres()))));
        instances.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        pool.Tell(new PoolCommands.CreateInstance(new InstanceCommands.Create(Guid.NewGuid().ToString(), Requests.Postgres())));
        Assert.Equal(ready, instances.ExpectMsg<InstanceCommands.Create>(TimeSpan.FromSeconds(10)).FromPool?.Id);
    }
}
