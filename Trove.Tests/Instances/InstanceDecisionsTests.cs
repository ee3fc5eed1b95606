using Trove.Actors.Instances;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Tests.Instances;

public class InstanceDecisionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static InstanceState Building() =>
        InstanceState.Apply(null, (Created)InstanceDecisions.Create(null, new InstanceCommands.Create("i1", Requests.Postgres()), T0).Events[0]);

    private static InstanceState Active() =>
        InstanceState.Apply(InstanceState.Apply(Building(), new ServiceStatusChanged(ServiceStatusNames.Healthy, T0, T0)), new BuildCompleted(T0));

    private static InstanceState Fold(InstanceState state, Decision decision) => decision.Events.Aggregate(state, InstanceState.Apply);

    [Fact]
    public void Create_records_user_names_but_never_passwords()
    {
        var decision = InstanceDecisions.Create(null, new InstanceCommands.Create("i1", Requests.Postgres()), T0);
        var created = Assert.IsType<Created>(Assert.Single(decision.Events));
        Assert.Equal(["app"], created.UserNames);
        Assert.DoesNotContain("s3cret-pw", System.Text.Json.JsonSerializer.Serialize(created));
        Assert.Equal("BUILD", Assert.IsType<InstanceReplies.Accepted>(decision.Reply).State.Status);
    }

    [Fact]
    public void A_restore_keeps_its_backup_chain_full_backup_first_so_that_a_resumed_build_copies_the_same_files()
    {
        var full = new BackupInfo("b0", "/backups/b0.tar.gz", "c0");
        var request = Requests.Postgres() with { RestoreFrom = new BackupInfo("b1", "/backups/b1.tar.gz", "c1", full) };
        var created = (Created)InstanceDecisions.Create(null, new InstanceCommands.Create("i1", request), T0).Events[0];
        Assert.Equal(["/backups/b0.tar.gz", "/backups/b1.tar.gz"], InstanceState.Apply(null, created).RestoreFrom);
    }

    [Fact]
    public void Create_of_an_existing_instance_is_refused_and_changes_nothing()
    {
        var decision = InstanceDecisions.Create(Building(), new InstanceCommands.Create("i1", Requests.Postgres()), T0);
        Assert.IsType<InstanceReplies.Refused>(decision.Reply);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_healthy_heartbeat_completes_the_build_and_shows_active_healthy()
    {
        var state = Fold(Building(), InstanceDecisions.Heartbeat(Building(), new("i1", ServiceStatusNames.Healthy, T0), null, T0));
        Assert.Equal("ACTIVE", state.Status);
        Assert.Equal("HEALTHY", state.OperatingStatus);
    }

    [Fact]
    public void A_building_heartbeat_keeps_the_build_going()
    {
        var state = Fold(Building(), InstanceDecisions.Heartbeat(Building(), new("i1", ServiceStatusNames.Building, T0), null, T0));
        Assert.Equal("BUILD", state.Status);
        Assert.Equal("", state.OperatingStatus);
    }

    [Fact]
    public void A_failed_prepare_fails_the_build_with_a_fault()
    {
        var state = Fold(Building(), InstanceDecisions.Heartbeat(Building(), new("i1", ServiceStatusNames.Failed, T0), null, T0));
        Assert.Equal("ERROR", state.Status);
        Assert.NotNull(state.Fault);
    }

    [Fact]
    public void A_running_guest_s_fault_is_kept_once_shown_with_its_time_and_cleared_by_a_report_without_it()
    {
        const string full = "The volume is full (1 GB): the datastore refuses writes until the volume is resized.";
        var faulted = Fold(Active(), InstanceDecisions.Heartbeat(Active(), new("i1", ServiceStatusNames.Healthy, T0.AddSeconds(1), full), T0, T0.AddSeconds(1)));
        Assert.Equal((full, T0.AddSeconds(1)), faulted.ShownFault);
        Assert.Equal("HEALTHY", faulted.OperatingStatus); // the engine still serves reads
        Assert.Empty(InstanceDecisions.Heartbeat(faulted, new("i1", ServiceStatusNames.Healthy, T0.AddSeconds(2), full), T0.AddSeconds(1), T0.AddSeconds(2)).Events);

        var cleared = Fold(faulted, InstanceDecisions.Heartbeat(faulted, new("i1", ServiceStatusNames.Healthy, T0.AddSeconds(3)), T0.AddSeconds(2), T0.AddSeconds(3)));
        Assert.Null(cleared.ShownFault);
        Assert.Null(Active().ShownFault);
    }

    [Fact]
    public void An_unchanged_status_persists_nothing()
    {
        Assert.Empty(InstanceDecisions.Heartbeat(Active(), new("i1", ServiceStatusNames.Healthy, T0.AddSeconds(3)), T0, T0.AddSeconds(3)).Events);
    }

    [Fact]
    public void A_heartbeat_older_than_the_last_one_is_dropped()
    {
        var decision = InstanceDecisions.Heartbeat(Active(), new("i1", ServiceStatusNames.Shutdown, T0.AddSeconds(-1)), T0, T0.AddSeconds(5));
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Heartbeat_expiry_turns_operating_status_to_error_and_a_heartbeat_brings_it_back()
    {
        var expired = Fold(Active(), InstanceDecisions.HeartbeatExpired(Active(), T0.AddMinutes(1)));
        Assert.Equal("ACTIVE", expired.Status);
        Assert.Equal("ERROR", expired.OperatingStatus);
        Assert.Empty(InstanceDecisions.HeartbeatExpired(expired, T0.AddMinutes(2)).Events);

        var back = Fold(expired, InstanceDecisions.Heartbeat(expired, new("i1", ServiceStatusNames.Healthy, T0.AddMinutes(3)), T0, T0.AddMinutes(3)));
        Assert.Equal("HEALTHY", back.OperatingStatus);
    }

    [Fact]
    public void Build_timeout_fails_only_a_build_in_progress()
    {
        Assert.Equal("ERROR", Fold(Building(), InstanceDecisions.BuildFailed(Building(), "timed out", T0)).Status);
        Assert.Empty(InstanceDecisions.BuildFailed(Active(), "timed out", T0).Events);
    }

    [Fact]
    public void Another_tenant_gets_not_found()
    {
        Assert.IsType<InstanceReplies.NotFound>(InstanceDecisions.Get(Active(), new("i1", "other")).Reply);
        Assert.IsType<InstanceReplies.NotFound>(InstanceDecisions.Delete(Active(), new("i1", "other"), T0).Reply);
        Assert.Empty(InstanceDecisions.Delete(Active(), new("i1", "other"), T0).Events);
    }

    [Fact]
    public void Delete_shows_shutdown_then_the_instance_is_gone()
    {
        var deleting = Fold(Active(), InstanceDecisions.Delete(Active(), new("i1", "demo"), T0));
        Assert.Equal("SHUTDOWN", deleting.Status);
        Assert.Empty(InstanceDecisions.Heartbeat(deleting, new("i1", ServiceStatusNames.Healthy, T0.AddDays(1)), T0, T0).Events);
        var deleted = Fold(deleting, InstanceDecisions.DeleteCompleted(deleting, T0));
        Assert.IsType<InstanceReplies.NotFound>(InstanceDecisions.Get(deleted, new("i1", "demo")).Reply);
    }

    [Fact]
    public void The_server_is_kept_even_when_the_guest_reported_healthy_first()
    {
        var state = Fold(Active(), InstanceDecisions.ServerCreated(Active(), "i1", "127.0.0.1", 5433, T0));
        Assert.Equal(5433, state.Port);
        Assert.Empty(InstanceDecisions.ServerCreated(state, "i1", "127.0.0.1", 6000, T0).Events);
    }

    [Fact]
    public void A_second_backup_is_refused_while_one_runs_and_taken_once_it_ended()
    {
        var active = Fold(Active(), InstanceDecisions.ServerCreated(Active(), "i1", "127.0.0.1", 5433, T0));
        var backingUp = Fold(active, InstanceDecisions.StartBackup(active, new("i1", "demo", "b1"), T0));
        Assert.Equal("BACKUP", backingUp.Status);

        var second = InstanceDecisions.StartBackup(backingUp, new("i1", "demo", "b2"), T0);
        Assert.Contains("b1", Assert.IsType<InstanceReplies.Conflict>(second.Reply).Message);
        Assert.Empty(second.Events);

        var ended = Fold(backingUp, InstanceDecisions.EndBackup(backingUp, new("i1", "b1"), T0));
        Assert.Equal("ACTIVE", ended.Status);
        Assert.IsType<InstanceReplies.Accepted>(InstanceDecisions.StartBackup(ended, new("i1", "demo", "b2"), T0).Reply);
    }

    [Fact]
    public void Only_an_instance_with_a_task_under_way_has_work_to_resume()
    {
        Assert.True(Building().HasWork);
        Assert.False(Active().HasWork);
        var deleting = Fold(Active(), InstanceDecisions.Delete(Active(), new("i1", "demo"), T0));
        Assert.True(deleting.HasWork);
        Assert.False(Fold(deleting, InstanceDecisions.DeleteCompleted(deleting, T0)).HasWork);
        Assert.False(Fold(Building(), InstanceDecisions.BuildFailed(Building(), "broken", T0)).HasWork);
    }

    private static readonly ConfigurationGroup Group =
        new("c1", "postgresql", "15", new Dictionary<string, string> { ["work_mem"] = "4096" }, RestartRequired: true, Revision: 7);

    [Fact]
    public void A_configuration_change_is_checked_before_the_group_is_read_one_at_a_time()
    {
        var active = Active();
        var attached = InstanceState.Apply(active, new ConfigurationAttached("c1", false, T0, 7));
        Assert.IsType<InstanceReplies.NotFound>(InstanceDecisions.SetConfiguration(active, new("i1", "other", "c1"), false));
        Assert.IsType<InstanceReplies.Conflict>(InstanceDecisions.SetConfiguration(active, new("i1", "demo", "c1"), changeUnderWay: true));
        Assert.Contains("no configuration group to detach", (InstanceDecisions.SetConfiguration(active, new("i1", "demo", null), false) as InstanceReplies.Invalid)?.Message);
        Assert.Contains("already has configuration group c1", (InstanceDecisions.SetConfiguration(attached, new("i1", "demo", "c2"), false) as InstanceReplies.Invalid)?.Message);
        Assert.Null(InstanceDecisions.SetConfiguration(active, new("i1", "demo", "c1"), false));
        Assert.Null(InstanceDecisions.SetConfiguration(attached, new("i1", "demo", null), false));
    }

    [Fact]
    public void A_read_group_becomes_the_change_to_journal_and_its_end_the_attach_or_detach_event()
    {
        var active = InstanceState.Apply(Active(), new ServerCreated("s1", "127.0.0.1", 40000, T0));
        var (refusal, attach) = InstanceDecisions.ConfigurationChange(active, new("i1", "demo", "c1"), Group, T0);
        Assert.Null(refusal);
        Assert.Equal(("c1", "4096", true, 7L), (attach!.ConfigurationId, attach.Overrides["work_mem"], attach.RestartRequired, attach.Revision));
        var applied = InstanceState.Apply(active, attach.Applied(T0));
        Assert.Equal(("c1", 7L, "RESTART_REQUIRED"), (applied.ConfigurationId, applied.ConfigurationRevision, applied.Status));

        var (_, detach) = InstanceDecisions.ConfigurationChange(applied, new("i1", "demo", null), Group, T0);
        Assert.Empty(detach!.Overrides);
        Assert.IsType<ConfigurationDetached>(detach.Applied(T0));
        Assert.Null(ConfigurationEvents.Apply(detach, detach.Applied(T0)));

        Assert.IsType<InstanceReplies.ConfigurationNotFound>(InstanceDecisions.ConfigurationChange(active, new("i1", "demo", "c9"), null, T0).Refusal);
        Assert.IsType<InstanceReplies.Invalid>(InstanceDecisions.ConfigurationChange(active, new("i1", "demo", "c1"), Group with { DatastoreVersion = "16" }, T0).Refusal);
        Assert.IsType<InstanceReplies.Refused>(InstanceDecisions.ConfigurationChange(Building(), new("i1", "demo", "c1"), Group, T0).Refusal);
    }
}
