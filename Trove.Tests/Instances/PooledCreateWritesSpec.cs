using Akka.Actor;
using Akka.TestKit;
using Trove.Actors.Compute;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

/// <summary>What a create that claimed a pool's server writes, on a journal whose writes are slow (<see cref="SlowJournal"/>):
/// each write is a step a burst of creates waits for.</summary>
public sealed class PooledCreateWritesSpec() : Akka.TestKit.Xunit2.TestKit(SlowJournal.Config)
{
    [Fact]
    public void A_pool_servers_create_journals_the_server_in_the_write_of_the_instance()
    {
        var tenants = CreateTestProbe();
        tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is TenantCommands.ReserveInstance)
                sender.Tell(TenantReplies.Reserved.Instance);
            return AutoPilot.KeepRunning;
        }));
        var id = Guid.NewGuid().ToString();
        var entity = Sys.ActorOf(InstanceActor.Props(id, new FakeCompute(), new FakeGuestRpc(), tenants.Ref, new InstanceSettings()));

        entity.Tell(new Create(id, Requests.Postgres(), new Server(id, ServerStatus.Active, "127.42.0.9", 5432)), TestActor);
        ExpectMsg<InstanceReplies.Accepted>();

        var created = Assert.Single(SlowJournal.Writes[$"instance-{id}"], write => write.Any(e => e is InstanceEvents.Created));
        Assert.Contains(created, e => e is InstanceEvents.ServerCreated { ServerId: var server, Port: 5432 } && server == id);
    }
}
