using Trove.Contracts.Guests;

namespace Trove.Tests.Instances;

/// <summary>What a promotion compares: a switchover's candidate against where the old source stopped, a failover's replicas
/// against one another; PostgreSQL by LSN, MariaDB by GTID per domain.</summary>
public class ReplicationPositionTests
{
    private static ReplicationPosition Lsn(string lsn) => new(lsn, Writable: false);
    private static ReplicationPosition Gtid(string gtid) => new(null, Writable: false, gtid);

    [Fact]
    public void A_postgresql_replica_holds_what_its_source_wrote_once_past_the_shutdown_checkpoint()
    {
        Assert.False(Lsn("0/3000060").Holds(Lsn("0/3000060")));
        Assert.True(Lsn("0/30000D8").Holds(Lsn("0/3000060")));
        Assert.True(Lsn("1/0").IsAheadOf(Lsn("0/FFFFFFFF")));
    }

    [Fact]
    public void A_mariadb_replica_holds_what_its_source_wrote_once_at_its_gtid_in_every_domain()
    {
        Assert.True(Gtid("0-1-42").Holds(Gtid("0-1-42")));
        Assert.True(Gtid("0-2-43").Holds(Gtid("0-1-42"))); // the domain's numbers go on across a change of source
        Assert.False(Gtid("0-1-41").Holds(Gtid("0-1-42")));
        Assert.False(Gtid("0-1-42").Holds(Gtid("0-1-42,5-9-1"))); // a tenant's own domain not received yet
        Assert.True(Gtid("").Holds(Gtid("")));
    }

    [Fact]
    public void The_most_advanced_mariadb_replica_is_the_one_furthest_in_the_source_s_domain()
    {
        Assert.True(Gtid("0-1-100").IsAheadOf(Gtid("0-1-99,5-9-1000")));
        Assert.True(Gtid("0-1-100,5-9-2").IsAheadOf(Gtid("0-1-100,5-9-1")));
        Assert.False(Gtid("0-1-100").IsAheadOf(Gtid("0-1-100")));
        Assert.True(Gtid("0-1-1").IsAheadOf(Gtid("")));
    }

    [Fact]
    public void The_furthest_of_what_a_mariadb_engine_logged_applied_and_received_is_its_position()
    {
        Assert.Equal("0-2-9,1-3-4", GtidPosition.Furthest("0-1-7,1-3-4", "0-2-9", null, "").ToString());
        Assert.Throws<FormatException>(() => GtidPosition.Parse("0/3000060"));
    }
}
