using Akka.Actor;
using Akka.Configuration;
using Trove.Actors.Tenants;
using static Trove.Actors.Tenants.TenantCommands;

namespace Trove.Tests.Tenants;

public class TenantActorSpec() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("""
    akka.loglevel = WARNING
    akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
    """))
{
    private static readonly QuotaLimits Defaults = new(Instances: 2, Volumes: 5, Backups: 50);

    private IActorRef Tenant(string id) => Sys.ActorOf(TenantActor.Props(id, Defaults));

    [Fact]
    public void Reservations_stop_at_the_instance_limit_and_a_release_makes_room()
    {
        var tenant = Tenant("t1");
        tenant.Tell(new ReserveInstance("t1", "a", 1, 512), TestActor);
        ExpectMsg<TenantReplies.Reserved>();
        tenant.Tell(new ReserveInstance("t1", "a", 1, 512), TestActor); // the same instance again: nothing more
        ExpectMsg<TenantReplies.Reserved>();
        tenant.Tell(new ReserveInstance("t1", "b", 1, 512), TestActor);
        ExpectMsg<TenantReplies.Reserved>();
        tenant.Tell(new ReserveInstance("t1", "c", 1, 512), TestActor);
        Assert.Equal(["instances"], ExpectMsg<TenantReplies.QuotaExceeded>().Resources);

        tenant.Tell(new ReleaseInstance("t1", "a"), TestActor);
        ExpectMsg<TenantReplies.Released>();
        tenant.Tell(new ReserveInstance("t1", "c", 1, 512), TestActor);
        ExpectMsg<TenantReplies.Reserved>();
    }

    [Fact]
    public void Volume_gigabytes_are_limited_too()
    {
        var tenant = Tenant("t2");
        tenant.Tell(new ReserveInstance("t2", "a", 6, 512), TestActor);
        var exceeded = ExpectMsg<TenantReplies.QuotaExceeded>();
        Assert.Equal(["volumes"], exceeded.Resources);
        Assert.Contains("'volumes'", exceeded.Message);
    }

    [Fact]
    public void Admin_limits_and_usage_survive_a_restart()
    {
        var tenant = Tenant("t3");
        tenant.Tell(new SetQuotas("t3", new Dictionary<string, int> { ["instances"] = 1, ["volumes"] = -1 }), TestActor);
        Assert.Equal(1, ExpectMsg<TenantReplies.Quotas>().Limits.Instances);
        tenant.Tell(new ReserveInstance("t3", "a", 100, 512), TestActor);
        ExpectMsg<TenantReplies.Reserved>();
        Watch(tenant);
        Sys.Stop(tenant);
        ExpectTerminated(tenant);

        var again = Tenant("t3");
        again.Tell(new GetQuotas("t3"), TestActor);
        var quotas = ExpectMsg<TenantReplies.Quotas>();
        Assert.Equal((1, -1, 50), (quotas.Limits.Instances, quotas.Limits.Volumes, quotas.Limits.Backups));
        Assert.Equal((1, 100), (quotas.Usage.Instances, quotas.Usage.Volumes));
        again.Tell(new ReserveInstance("t3", "b", 1, 512), TestActor);
        ExpectMsg<TenantReplies.QuotaExceeded>();
    }

    [Fact]
    public void Unknown_resources_and_limits_below_minus_one_are_refused()
    {
        var tenant = Tenant("t4");
        tenant.Tell(new SetQuotas("t4", new Dictionary<string, int> { ["cpus"] = 1 }), TestActor);
        Assert.Contains("cpus", ExpectMsg<TenantReplies.InvalidQuotas>().Message);
        tenant.Tell(new SetQuotas("t4", new Dictionary<string, int> { ["instances"] = -2 }), TestActor);
        ExpectMsg<TenantReplies.InvalidQuotas>();
    }
}
