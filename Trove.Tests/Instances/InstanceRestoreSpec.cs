using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.Instances;

/// <summary>A restore is one ask of the instance entity: it asks the backup's real entity for its chain (which walks its
/// parents), keeps the chain in its <see cref="InstanceEvents.Created"/>, and answers a restore it cannot do as the API
/// did, without asking its tenant for quota.</summary>
public class InstanceRestoreSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly InstanceSettings Settings = new()
    {
        QuotaTimeout = TimeSpan.FromSeconds(1), RetryDelay = TimeSpan.FromMilliseconds(200), BackupLookupTimeout = TimeSpan.FromSeconds(1),
    };

    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private readonly ConcurrentDictionary<string, IActorRef> _backups = new();
    private readonly ConcurrentQueue<object> _askedOfTenant = new();
    private readonly TestProbe _backupRegion;
    private readonly TestProbe _tenants;
    private readonly IActorRef _tenant;

    public InstanceRestoreSpec() : base(ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """))
    {
        _tenant = Sys.ActorOf(TenantActor.Props("demo", new QuotaLimits(Instances: 5, Volumes: 10, Backups: 10)));
        _tenants = CreateTestProbe();
        _tenants.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            _askedOfTenant.Enqueue(message);
            _tenant.Tell(message, sender);
            return AutoPilot.KeepRunning;
        }));
        _backupRegion = CreateTestProbe();
        _backupRegion.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is IWithBackupId routed && _backups.TryGetValue(routed.BackupId, out var backup))
                backup.Tell(message, sender);
            else if (message is BackupCommands.GetChain get)
                sender.Tell(new BackupReplies.NotFound(get.BackupId)); // an entity never created answers so
            return AutoPilot.KeepRunning;
        }));
    }

    private IActorRef Entity(string id, IActorRef? backupRegion = null) =>
        Sys.ActorOf(InstanceActor.Props(id, _compute, _guests, _tenants.Ref, Settings,
            restorePoints: new BackupRestorePoints(() => backupRegion ?? _backupRegion.Ref, new NoBackupStorage())));

    /// <summary>A backup of the tenant's instance "src" (the earlier release's create, then the guest's reports).</summary>
    private void Backup(string id, string? parentId = null, string tenant = "demo", string datastore = "postgresql", bool complete = true)
    {
        var instances = CreateTestProbe();
        instances.SetAutoPilot(new DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(InstanceReplies.BackupEndAck.Instance);
            return AutoPilot.KeepRunning;
        }));
        var backup = _backups[id] = Sys.ActorOf(BackupActor.Props(id, _guests, instances.Ref, _tenants.Ref, () => _backupRegion.Ref, new NoBackupStorage(),
            new BackupSettings { RetryDelay = TimeSpan.FromMilliseconds(300) }));
        backup.Tell(new BackupCommands.Create(id, new BackupRequest(tenant, "src", id, null, parentId, datastore, "15")), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        if (!complete)
            return;
        backup.Tell(new BackupCommands.Report(id, "src", BackupStatus.Completed, 1024, "abc", DateTimeOffset.UtcNow), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
    }

    private static Create Restore(string id, string backupId, string datastore = "postgresql") =>
        new(id, Requests.Postgres() with { Datastore = datastore, RestoreBackupId = backupId });

    private int InstancesUsed() => _tenant.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas("demo"), RemainingOrDefault).Result.Usage.Instances;

    /// <summary>Refused, and nothing kept: the tenant was never asked for quota and the instance does not exist.</summary>
    private void AssertNothingKept(IActorRef entity, string id)
    {
        Assert.DoesNotContain(_askedOfTenant, m => m is TenantCommands.ReserveInstance);
        Assert.Equal(0, InstancesUsed());
        entity.Tell(new Get(id, "demo"), TestActor);
        ExpectMsg<InstanceReplies.NotFound>();
        Assert.Empty(_guests.Casts.Where(c => c.InstanceId == id));
    }

    [Fact]
    public void A_restore_from_a_chain_of_increments_keeps_the_whole_chain_full_backup_first()
    {
        Backup("full");
        Backup("incr1", parentId: "full");
        Backup("incr2", parentId: "incr1");
        var entity = Entity("r1");
        entity.Tell(Restore("r1", "incr2"), TestActor);
        var accepted = ExpectMsg<InstanceReplies.Accepted>();
        string[] chain = ["/backups/full.tar.gz", "/backups/incr1.tar.gz", "/backups/incr2.tar.gz"];
        Assert.Equal(chain, accepted.State.RestoreFrom);
        Assert.Equal(1, InstancesUsed());

        // the guest's prepare names the chain, and so does the server
        var prepare = _guests.Casts.Single(c => c.InstanceId == "r1" && c.Message.Method == GuestMethods.Prepare).Message;
        Assert.Equal(["full", "incr1", "incr2"], prepare.ArgsAs<PrepareArgs>().BackupInfo!.Chain().Select(b => b.Id));
        AwaitAssert(() => Assert.Equal(chain, _compute.Requested.Single(s => s.InstanceId == "r1").RestoreFrom));
        Assert.False(_compute.Requested.Single(s => s.InstanceId == "r1").StartsEngineAtOnce); // its data comes with its prepare

        // kept in the journal: a new incarnation restores from the same backups
        Watch(entity);
        Sys.Stop(entity);
        ExpectTerminated(entity);
        Entity("r1").Tell(new Get("r1", "demo"), TestActor);
        Assert.Equal(chain, ExpectMsg<InstanceReplies.Found>().State.RestoreFrom);
    }

    [Fact]
    public void A_restore_from_a_missing_backup_is_not_found_and_reserves_nothing()
    {
        var entity = Entity("r2");
        entity.Tell(Restore("r2", "nothing"), TestActor);
        Assert.Equal("nothing", ExpectMsg<InstanceReplies.BackupNotFound>().BackupId);
        AssertNothingKept(entity, "r2");
    }

    [Fact]
    public void A_restore_from_another_tenants_backup_is_not_found_and_reserves_nothing()
    {
        Backup("theirs", tenant: "other");
        var entity = Entity("r3");
        entity.Tell(Restore("r3", "theirs"), TestActor);
        Assert.Equal("theirs", ExpectMsg<InstanceReplies.BackupNotFound>().BackupId);
        AssertNothingKept(entity, "r3");
    }

    [Fact]
    public void A_restore_from_a_backup_not_completed_is_a_conflict_and_reserves_nothing()
    {
        Backup("building", complete: false);
        var entity = Entity("r4");
        entity.Tell(Restore("r4", "building"), TestActor);
        Assert.Equal("Backup building is NEW; only a COMPLETED backup can be used.", ExpectMsg<InstanceReplies.Conflict>().Message);
        AssertNothingKept(entity, "r4");
    }

    [Fact]
    public void A_restore_whose_parent_is_not_completed_is_a_conflict_and_reserves_nothing()
    {
        Backup("unfinished", complete: false);
        Backup("on-unfinished", parentId: "unfinished");
        var entity = Entity("r5");
        entity.Tell(Restore("r5", "on-unfinished"), TestActor);
        Assert.Contains("Backup unfinished is NEW", ExpectMsg<InstanceReplies.Conflict>().Message);
        AssertNothingKept(entity, "r5");
    }

    [Fact]
    public void A_restore_into_another_datastore_is_invalid_and_reserves_nothing()
    {
        Backup("pg");
        var entity = Entity("r6");
        entity.Tell(Restore("r6", "pg", datastore: "mariadb"), TestActor);
        Assert.Equal("Backup pg is of postgresql; it cannot be restored into mariadb.", ExpectMsg<InstanceReplies.Invalid>().Message);
        AssertNothingKept(entity, "r6");
    }

    [Fact]
    public void A_restore_whose_backup_does_not_answer_fails_and_reserves_nothing_and_the_entity_serves_again()
    {
        var entity = Entity("r7", backupRegion: CreateTestProbe().Ref);
        entity.Tell(Restore("r7", "silent"), TestActor);
        entity.Tell(new Get("r7", "demo"), TestActor); // waits while the backup is asked
        Assert.Contains("Backup silent did not answer", ExpectMsg<InstanceReplies.Failed>(TimeSpan.FromSeconds(5)).Message);
        ExpectMsg<InstanceReplies.NotFound>();
        AssertNothingKept(entity, "r7");
    }
}
