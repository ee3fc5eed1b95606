using Akka.Actor;
using Akka.TestKit.Xunit2;
using Trove.Actors.Broker;
using Trove.Actors.Guests;
using Trove.Actors.Pool;
using Trove.Actors.ReadModel;
using Trove.Actors.Reconciling;
using Trove.Actors.Sql;

namespace Trove.Tests.Reconciling;

/// <summary>The reconciler is a cluster singleton: it stops when the singleton manager tells it to, as its node leaves,
/// whatever its sweep is waiting for.</summary>
public sealed class ReconcilerSpec : TestKit
{
    [Fact]
    public void A_reconciler_told_to_stop_during_a_sweep_stops_without_waiting_for_what_the_sweep_asked()
    {
        var pool = CreateTestProbe();
        var readModel = new ReadModelDb(new SqlDatabase("SQLite.MS", $"Data Source=/tmp/trs-{Guid.NewGuid():N}.db"));
        var brokerUsers = new GuestBrokerUsers(new BrokerSettings(), new byte[32], new HttpClient());
        // the compute driver and the guests are never reached: the sweep waits on the pool first
        var reconciler = Sys.ActorOf(Reconciler.Props(readModel, compute: null!, brokerUsers, guests: null!, CreateTestProbe(), pool,
            new ReconcileSettings(), askTimeout: TimeSpan.FromMinutes(1)));
        pool.ExpectMsg<PoolCommands.List>(); // and the pool, leaving as well, does not answer
        Watch(reconciler);

        reconciler.Tell(PoisonPill.Instance); // the singleton manager's termination message

        ExpectTerminated(reconciler, TimeSpan.FromSeconds(5));
    }
}
