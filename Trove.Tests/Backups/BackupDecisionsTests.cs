using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using static Trove.Actors.Backups.BackupCommands;

namespace Trove.Tests.Backups;

public class BackupDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static InstanceState Instance(string datastore) => InstanceState.Apply(null, (InstanceEvents.Created)InstanceDecisions.Create(null,
        new InstanceCommands.Create("i1", Requests.Postgres() with { Datastore = datastore }), T0).Events[0]);

    private static Take TakeOf(string? parentId = null, bool incremental = false) => new("b1", "demo", "i1", "nightly", null, parentId, incremental);

    private static BackupState Backup(string id, string status, string? parentId = null, string instanceId = "i1")
    {
        var state = BackupState.Apply(null, new BackupEvents.Created(id,
            new BackupRequest("demo", instanceId, "n", null, parentId, "mariadb", "10.11"), T0))!;
        return status == BackupStatus.New ? state : BackupState.Apply(state, new BackupEvents.Progressed(status, 1, "c", $"/b/{id}", T0, T0))!;
    }

    [Fact]
    public void Only_supported_datastores_are_backed_up_and_only_some_take_increments()
    {
        Assert.Null(BackupDecisions.CheckInstance(new InstanceReplies.Found(Instance("postgresql")), TakeOf()));
        Assert.IsType<BackupReplies.NotSupported>(BackupDecisions.CheckInstance(new InstanceReplies.Found(Instance("redis")), TakeOf()));
        Assert.IsType<BackupReplies.Invalid>(BackupDecisions.CheckInstance(new InstanceReplies.Found(Instance("postgresql")), TakeOf("p1")));
        Assert.Null(BackupDecisions.CheckInstance(new InstanceReplies.Found(Instance("mariadb")), TakeOf("p1")));
        Assert.Contains("no completed backup", Assert.IsType<BackupReplies.Invalid>(
            BackupDecisions.CheckInstance(new InstanceReplies.Found(Instance("mariadb")), TakeOf(incremental: true))).Message);
        Assert.IsType<BackupReplies.InstanceNotFound>(BackupDecisions.CheckInstance(new InstanceReplies.NotFound("i1"), TakeOf()));
    }

    [Fact]
    public void A_restore_takes_a_completed_chain_of_its_datastore_and_is_refused_as_the_api_refused()
    {
        var restore = new InstanceCommands.Create("r1", Requests.Postgres() with { Datastore = "mariadb", RestoreBackupId = "b2" });
        var chain = new BackupInfo("b2", "/b/b2", "c", new BackupInfo("b1", "/b/b1", "c"));
        var (restored, refusal) = InstanceDecisions.Restore(restore, BackupDecisions.RestorePointOf(new BackupReplies.Chain(chain, "i1", "mariadb")));
        Assert.Null(refusal);
        Assert.Equal(["/b/b1", "/b/b2"], restored!.Request.RestoreLocations());

        Assert.Equal("Backup b2 is of mariadb; it cannot be restored into postgresql.", Assert.IsType<InstanceReplies.Invalid>(InstanceDecisions.Restore(
            restore with { Request = restore.Request with { Datastore = "postgresql" } },
            BackupDecisions.RestorePointOf(new BackupReplies.Chain(chain, "i1", "mariadb"))).Refusal).Message);
        Assert.Equal("b1", Assert.IsType<InstanceReplies.BackupNotFound>(
            InstanceDecisions.Restore(restore, BackupDecisions.RestorePointOf(new BackupReplies.NotFound("b1"))).Refusal).BackupId);
        Assert.Equal("busy", Assert.IsType<InstanceReplies.Conflict>(
            InstanceDecisions.Restore(restore, BackupDecisions.RestorePointOf(new BackupReplies.Conflict("busy"))).Refusal).Message);
        Assert.Equal("gone", Assert.IsType<InstanceReplies.Failed>(
            InstanceDecisions.Restore(restore, BackupDecisions.RestorePointOf(new BackupReplies.Failed("gone"))).Refusal).Message);
    }

    [Fact]
    public void A_postgresql_restore_replays_its_backup_s_instance_s_archive_up_to_a_time_not_before_the_backup_completed()
    {
        var completed = T0.AddMinutes(5);
        var point = (RestorePoint.Found)BackupDecisions.RestorePointOf(new BackupReplies.Chain(new BackupInfo("b1", "/b/b1", "c"), "i1", "postgresql", completed))
            with { WalArchived = true };
        var restore = new InstanceCommands.Create("r1", Requests.Postgres() with { RestoreBackupId = "b1" });

        var toEnd = InstanceDecisions.Restore(restore, point).Create!.Request;
        Assert.Equal(("i1", (DateTimeOffset?)null), (toEnd.RestoreWalOf, toEnd.RestoreTime));
        var toTime = InstanceDecisions.Restore(restore with { Request = restore.Request with { RestoreTime = completed.AddSeconds(1) } }, point).Create!.Request;
        Assert.Equal(("i1", completed.AddSeconds(1)), (toTime.RestoreWalOf, toTime.RestoreTime));
        Assert.Equal("i1", ((InstanceEvents.Created)InstanceDecisions.Create(null, new InstanceCommands.Create("r1", toTime), T0).Events[0]).RestoreWalOf);

        Assert.Contains("is before backup b1 completed", Assert.IsType<InstanceReplies.Invalid>(InstanceDecisions.Restore(
            restore with { Request = restore.Request with { RestoreTime = completed.AddSeconds(-1) } }, point).Refusal).Message);

        // an instance that archived nothing (archiving off, or object storage): only to the backup's end
        Assert.Contains("has no WAL archive", Assert.IsType<InstanceReplies.Invalid>(InstanceDecisions.Restore(
            restore with { Request = restore.Request with { RestoreTime = completed.AddSeconds(1) } }, point with { WalArchived = false }).Refusal).Message);
        Assert.Equal("i1", InstanceDecisions.Restore(restore, point with { WalArchived = false }).Create!.Request.RestoreWalOf);

        // MariaDB's binary logs are not archived: a restore of its backup replays nothing, and a time is refused
        var mariadb = new InstanceCommands.Create("r2", Requests.Postgres() with { Datastore = "mariadb", RestoreBackupId = "b1" });
        var mariadbPoint = BackupDecisions.RestorePointOf(new BackupReplies.Chain(new BackupInfo("b1", "/b/b1", "c"), "i1", "mariadb", completed));
        Assert.Null(InstanceDecisions.Restore(mariadb, mariadbPoint).Create!.Request.RestoreWalOf);
        Assert.Equal("Point-in-time recovery (restore_time) is not supported for the 'mariadb' datastore.", Assert.IsType<InstanceReplies.Invalid>(
            InstanceDecisions.Restore(mariadb with { Request = mariadb.Request with { RestoreTime = completed.AddSeconds(1) } }, mariadbPoint).Refusal).Message);
    }

    [Fact]
    public void A_chain_link_is_a_completed_backup_of_the_tenant_with_the_chain_under_it()
    {
        var parent = new BackupInfo("f1", "/b/f1", "c");
        var link = Assert.IsType<BackupReplies.Chain>(BackupDecisions.Link(Backup("inc", BackupStatus.Completed, "f1"), new GetChain("inc", "demo"), parent));
        Assert.Equal(["f1", "inc"], link.Info.Chain().Select(b => b.Id));
        Assert.IsType<BackupReplies.NotFound>(BackupDecisions.Link(Backup("inc", BackupStatus.Completed), new GetChain("inc", "other"), null));
        Assert.IsType<BackupReplies.NotFound>(BackupDecisions.Link(null, new GetChain("inc", "demo"), null));
        Assert.IsType<BackupReplies.Conflict>(BackupDecisions.Link(Backup("inc", BackupStatus.Building), new GetChain("inc", "demo"), null));
    }

    [Fact]
    public void A_parent_of_another_instance_is_refused()
    {
        var ofOther = new BackupReplies.Chain(new BackupInfo("p1", "/b/p1", "c"), "i9", "mariadb");
        Assert.IsType<BackupReplies.Invalid>(BackupDecisions.CheckParent(ofOther, TakeOf("p1")));
        Assert.Null(BackupDecisions.CheckParent(ofOther with { InstanceId = "i1" }, TakeOf("p1")));
        Assert.IsType<BackupReplies.Conflict>(BackupDecisions.CheckParent(new BackupReplies.Conflict("not completed"), TakeOf("p1")));
    }

    [Fact]
    public void The_instances_answer_to_start_decides_between_going_on_abandoning_and_failing()
    {
        Assert.Null(BackupDecisions.Started(new InstanceReplies.Accepted(Instance("postgresql"))));
        Assert.True(BackupDecisions.IsDefiniteRefusal(BackupDecisions.Started(new InstanceReplies.Conflict("busy"))!));
        Assert.True(BackupDecisions.IsDefiniteRefusal(BackupDecisions.Started(new InstanceReplies.Refused("not now"))!));
        Assert.True(BackupDecisions.IsDefiniteRefusal(BackupDecisions.Started(new InstanceReplies.NotFound("i1"))!));
        Assert.False(BackupDecisions.IsDefiniteRefusal(BackupDecisions.Started(new InstanceReplies.Failed("timeout"))!));
    }

    [Fact]
    public void Only_fresh_reports_of_the_backups_own_instance_move_a_running_backup()
    {
        var running = Backup("b1", BackupStatus.Building) with { LastReportSent = T0 };
        Assert.True(BackupDecisions.Moves(running, new Report("b1", "i1", BackupStatus.Completed, 1, "c", T0.AddSeconds(1))));
        Assert.False(BackupDecisions.Moves(running, new Report("b1", "i1", BackupStatus.Completed, 1, "c", T0.AddSeconds(-1))));
        Assert.False(BackupDecisions.Moves(running, new Report("b1", "i9", BackupStatus.Completed, 1, "c", T0.AddSeconds(1))));
        Assert.False(BackupDecisions.Moves(Backup("b1", BackupStatus.Completed), new Report("b1", "i1", BackupStatus.Failed, 1, "c", T0.AddSeconds(1))));
    }
}
