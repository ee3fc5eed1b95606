using Trove.Actors.Tenants;
using Trove.Tests.Support;
using static Trove.Actors.Tenants.TenantCommands;

namespace Trove.Tests.Tenants;

/// <summary>A tenant decides each reservation on the state with the earlier ones in it before they are written: a write
/// the journal rejects is not acknowledged, and the next reservation is decided on what the journal has, not on the
/// rejected one.</summary>
public sealed class TenantRejectedWriteSpec() : Akka.TestKit.Xunit2.TestKit(RejectingJournal.Config)
{
    [Fact]
    public void A_rejected_reservation_is_not_answered_and_does_not_count_against_the_quota()
    {
        var id = $"rejected-{Guid.NewGuid():N}";
        var tenant = Sys.ActorOf(TenantActor.Props(id, new QuotaLimits(Instances: 1, Volumes: -1, Backups: -1)));
        RejectingJournal.RejectNext[$"tenant-{id}"] = true;

        EventFilter.Exception<InvalidOperationException>(contains: "the journal rejected").ExpectOne(TimeSpan.FromSeconds(10),
            () => tenant.Tell(new ReserveInstance(id, "i0", 1, 512), TestActor));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        tenant.Tell(new ReserveInstance(id, "i1", 1, 512), TestActor);
        ExpectMsg<TenantReplies.Reserved>();
    }
}
