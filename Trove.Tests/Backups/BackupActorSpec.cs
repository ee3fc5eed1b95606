using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using static Trove.Actors.Backups.BackupCommands;

namespace Trove.Tests.Backups;

public class BackupActorSpec() : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("""
    akka.loglevel = WARNING
    akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
    """))
{
    /// <summary>A storage double for this spec only: remembers what was reserved, sealed and deleted.</summary>
    private sealed class FakeStorage : IBackupStorage
    {
        public ConcurrentQueue<string> Deleted { get; } = new();
        public ConcurrentQueue<string> Reserved { get; } = new();
        public ConcurrentQueue<string> Sealed { get; } = new();
        public ConcurrentQueue<ReportedBackup> SealedAsReported { get; } = new();

        /// <summary>Backups whose seal fails as an object not matching its report does.</summary>
        public ConcurrentDictionary<string, string> Mismatched { get; } = new();

        public Task<string?> ReserveAsync(BackupPlace place, CancellationToken ct)
        {
            Reserved.Enqueue($"{place.BackupId}@{place.InstanceId}");
            return Task.FromResult<string?>(null);
        }

        public Task<SealedBackup> SealAsync(BackupPlace place, ReportedBackup reported, CancellationToken ct)
        {
            if (Mismatched.TryGetValue(place.BackupId, out var mismatch))
                return Task.FromException<SealedBackup>(new InvalidDataException(mismatch));
            Sealed.Enqueue(place.BackupId);
            SealedAsReported.Enqueue(reported);
            return Task.FromResult(new SealedBackup(LocationOf(place.BackupId), $"etag-{place.BackupId}"));
        }

        public Task<BackupInfo> ReadableAsync(BackupInfo chain, CancellationToken ct) => Task.FromResult(chain);

        public static string LocationOf(string backupId) => $"/backups/{backupId}.tar.gz";
        public Task DeleteAsync(string location, CancellationToken ct)
        {
            Deleted.Enqueue(location);
            return Task.CompletedTask;
        }
    }

    private readonly FakeGuestRpc _guests = new();
    private readonly FakeStorage _storage = new();
    private readonly DateTimeOffset _t0 = DateTimeOffset.UtcNow;

    private (IActorRef Backup, TestProbe Instances) Backup(string id, BackupSettings? settings = null)
    {
        var instances = CreateTestProbe();
        instances.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is InstanceCommands.EndBackup)
                sender.Tell(InstanceReplies.BackupEndAck.Instance);
            return AutoPilot.KeepRunning;
        }));
        return (Sys.ActorOf(BackupActor.Props(id, _guests, instances.Ref, ActorRefs.Nobody, () => ActorRefs.Nobody, _storage, settings ?? new BackupSettings())), instances);
    }

    private static Create CreateFor(string id) =>
        new(id, new BackupRequest("demo", "i1", "nightly", null, null, "postgresql", "15"));

    private BackupState StateOf(IActorRef backup, string id) =>
        Assert.IsType<BackupReplies.Found>(backup.Ask<object>(new Get(id, "demo"), RemainingOrDefault).Result).State;

    [Fact]
    public void The_guest_is_asked_its_reports_move_the_backup_on_and_the_instance_hears_the_end()
    {
        var (backup, instances) = Backup("b1");
        backup.Tell(CreateFor("b1"), TestActor);
        Assert.Equal(BackupStatus.New, ExpectMsg<BackupReplies.Accepted>().State.Status);
        AwaitAssert(() => Assert.Contains(_guests.Casts, c => c.Message.Method == GuestMethods.CreateBackup && c.InstanceId == "i1"));
        Assert.Contains("b1@i1", _storage.Reserved); // the guest's file is made before the guest is asked

        backup.Tell(new Report("b1", "i1", BackupStatus.Building, null, null, _t0), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        Assert.Equal(BackupStatus.Building, StateOf(backup, "b1").Status);

        EventFilter.Warning(contains: "refused a report from instance other-instance's guest").ExpectOne(() =>
        {
            backup.Tell(new Report("b1", "other-instance", BackupStatus.Completed, 1, "x", _t0.AddSeconds(1)), TestActor);
            ExpectMsg<BackupReplies.ReportAck>();
        });
        Assert.Equal(BackupStatus.Building, StateOf(backup, "b1").Status); // a guest reports only for its own instance

        backup.Tell(new Report("b1", "i1", BackupStatus.Completed, 4096, "abc", _t0.AddSeconds(2), Etag: "md5-of-upload"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        var done = StateOf(backup, "b1");
        Assert.Equal((BackupStatus.Completed, 4096L, "abc"), (done.Status, done.Size!.Value, done.Checksum));
        Assert.Equal(["b1"], _storage.Sealed); // sealed before it is kept as completed
        Assert.Equal(FakeStorage.LocationOf("b1"), done.Location); // where the storage keeps it; a report names none
        Assert.Equal([new ReportedBackup(4096, "abc", "md5-of-upload")], _storage.SealedAsReported); // what the seal checks
        Assert.Equal("etag-b1", done.Etag); // the stored object's ETag is kept with the backup
        instances.ExpectMsg<InstanceCommands.EndBackup>(e => e.BackupId == "b1");
        AwaitAssert(() => Assert.False(StateOf(backup, "b1").HasWork));
        Watch(backup);
        backup.Tell(PoisonPill.Instance);
        ExpectTerminated(backup);
        (backup, instances) = Backup("b1");
        instances.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // woken again, it has nothing left to tell

        backup.Tell(new Report("b1", "i1", BackupStatus.Building, null, null, _t0.AddSeconds(3)), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        Assert.Equal(BackupStatus.Completed, StateOf(backup, "b1").Status); // nothing after the end
    }

    [Fact]
    public void A_backup_that_takes_too_long_fails_and_the_instance_is_told()
    {
        var (backup, instances) = Backup("b2", new BackupSettings { Timeout = TimeSpan.FromMilliseconds(300) });
        backup.Tell(CreateFor("b2"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        instances.ExpectMsg<InstanceCommands.EndBackup>(TimeSpan.FromSeconds(5));
        var state = StateOf(backup, "b2");
        Assert.Equal(BackupStatus.Failed, state.Status);
        Assert.Contains("did not finish", state.Fault);
    }

    [Fact]
    public void A_running_backup_cannot_be_deleted_and_a_finished_one_takes_its_file_with_it()
    {
        var (backup, _) = Backup("b3");
        backup.Tell(CreateFor("b3"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        backup.Tell(new BackupCommands.Delete("b3", "demo"), TestActor);
        ExpectMsg<BackupReplies.Refused>();

        backup.Tell(new Report("b3", "i1", BackupStatus.Completed, 1, "c", _t0), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        backup.Tell(new BackupCommands.Delete("b3", "other-tenant"), TestActor);
        ExpectMsg<BackupReplies.NotFound>();
        backup.Tell(new BackupCommands.Delete("b3", "demo"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        Assert.Contains("/backups/b3.tar.gz", _storage.Deleted);
    }

    [Fact]
    public void A_failed_backup_keeps_why_the_guest_said_and_one_without_a_reason_says_that_it_gave_none()
    {
        var (backup, instances) = Backup("b4");
        backup.Tell(CreateFor("b4"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        backup.Tell(new Report("b4", "i1", BackupStatus.Failed, null, null, _t0, "pg_dump: error: connection lost"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        var failed = StateOf(backup, "b4");
        Assert.Equal((BackupStatus.Failed, "pg_dump: error: connection lost"), (failed.Status, failed.Fault));
        instances.ExpectMsg<InstanceCommands.EndBackup>(e => e.BackupId == "b4");

        // Replayed from the journal, it says the same.
        Watch(backup);
        backup.Tell(PoisonPill.Instance);
        ExpectTerminated(backup);
        (backup, _) = Backup("b4");
        Assert.Equal("pg_dump: error: connection lost", StateOf(backup, "b4").Fault);

        // An older guest (or an older node's conductor) gives no reason: the fault says so.
        var (older, _) = Backup("b5");
        older.Tell(CreateFor("b5"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        older.Tell(new Report("b5", "i1", BackupStatus.Failed, null, null, _t0), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        Assert.Equal((BackupStatus.Failed, BackupState.FailedWithoutReason), (StateOf(older, "b5").Status, StateOf(older, "b5").Fault));
    }

    [Fact]
    public void A_completed_report_has_no_fault_and_a_fault_in_a_running_report_is_not_kept()
    {
        var (backup, _) = Backup("b6");
        backup.Tell(CreateFor("b6"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        backup.Tell(new Report("b6", "i1", BackupStatus.Building, null, null, _t0, "not a failure"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        Assert.Null(StateOf(backup, "b6").Fault);
        backup.Tell(new Report("b6", "i1", BackupStatus.Completed, 1, "c", _t0.AddSeconds(1)), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        Assert.Equal((BackupStatus.Completed, (string?)null), (StateOf(backup, "b6").Status, StateOf(backup, "b6").Fault));
    }

    [Fact]
    public void A_completed_backup_whose_stored_object_is_not_what_its_guest_reported_fails_with_why()
    {
        var (backup, instances) = Backup("b7");
        _storage.Mismatched["b7"] = "backup b7 has 10 bytes in object storage; its guest reported 4096";
        backup.Tell(CreateFor("b7"), TestActor);
        ExpectMsg<BackupReplies.Accepted>();
        backup.Tell(new Report("b7", "i1", BackupStatus.Completed, 4096, "abc", _t0, Etag: "md5"), TestActor);
        ExpectMsg<BackupReplies.ReportAck>();
        var failed = StateOf(backup, "b7");
        Assert.Equal(BackupStatus.Failed, failed.Status);
        Assert.Contains("has 10 bytes in object storage; its guest reported 4096", failed.Fault);
        Assert.Null(failed.Location); // nothing that was not sealed is offered for a restore
        instances.ExpectMsg<InstanceCommands.EndBackup>(e => e.BackupId == "b7");
    }
}
