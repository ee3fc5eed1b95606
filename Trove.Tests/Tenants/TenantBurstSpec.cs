using Trove.Actors.Tenants;
using Trove.Tests.Support;
using static Trove.Actors.Tenants.TenantCommands;

namespace Trove.Tests.Tenants;

/// <summary>A burst of reservations at a tenant whose journal writes are slow (<see cref="SlowJournal"/>), as on a loaded
/// disk: those that come while one is written are written together, never past the limit, each answered once written.</summary>
public sealed class TenantBurstSpec() : Akka.TestKit.Xunit2.TestKit(SlowJournal.Config)
{
    [Fact]
    public void The_reservations_of_a_burst_are_written_in_a_few_journal_writes_and_stop_at_the_limit()
    {
        var id = $"burst-{Guid.NewGuid():N}";
        var tenant = Sys.ActorOf(TenantActor.Props(id, new QuotaLimits(Instances: 10, Volumes: -1, Backups: -1)));

        for (var i = 0; i < 12; i++)
            tenant.Tell(new ReserveInstance(id, $"i{i}", 1, 512), TestActor);
        tenant.Tell(new ReserveInstance(id, "i0", 1, 512), TestActor); // a repeat: answered once the first is written
        var replies = Enumerable.Range(0, 13).Select(_ => ExpectMsg<TenantReply>()).ToList();

        Assert.Equal(11, replies.Count(r => r is TenantReplies.Reserved));
        Assert.Equal(2, replies.Count(r => r is TenantReplies.QuotaExceeded));
        Assert.IsType<TenantReplies.Reserved>(replies[^1]);
        var writes = SlowJournal.Writes[$"tenant-{id}"];
        Assert.Equal(10, writes.Sum(w => w.Count));
        Assert.True(writes.Count <= 3, $"10 reservations took {writes.Count} journal writes");
    }
}
