using Trove.Actors.Instances;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Actors.History;

/// <summary>How an instance's events read in its history. The type names are part of the API: a renamed event keeps its name.</summary>
public static class InstanceHistory
{
    public static string TypeOf(IInstanceEvent e) => e switch
    {
        Created => "created",
        ServerCreated => "server_created",
        ServerAccepted => "server_accepted",
        VolumeMade => "volume_made",
        ServiceStatusChanged => "service_status_changed",
        BuildCompleted => "build_completed",
        BuildFailed => "build_failed",
        DeleteRequested => "delete_requested",
        Deleted => "deleted",
        Renamed => "renamed",
        RootEnabled => "root_enabled",
        RestartStarted => "restart_started",
        RestartCompleted => "restart_completed",
        StatusReset => "status_reset",
        ResizeStarted => "resize_started",
        ResizeCompleted => "resize_completed",
        BackupStarted => "backup_started",
        BackupEnded => "backup_ended",
        ConfigurationAttached => "configuration_attached",
        ConfigurationDetached => "configuration_detached",
        GuestFaultChanged => "guest_fault_changed",
        AccessChanged => "access_changed",
        ReplicaAttached => "replica_attached",
        ReplicaDropped => "replica_dropped",
        DetachStarted => "detach_started",
        DetachCompleted => "detach_completed",
        PromotionStarted => "promotion_started",
        PromotionJoined => "promotion_joined",
        PromotionMembersJoined => "promotion_members_joined",
        PromotionCandidateChosen => "promotion_candidate_chosen",
        SourceFenced => "source_fenced",
        CandidatePromoted => "candidate_promoted",
        PromotionMemberMoved => "promotion_member_moved",
        PromotionFailed => "promotion_failed",
        ReplicaSetChanged => "replica_set_changed",
        _ => throw new InvalidOperationException($"no history type for {e.GetType().Name}"),
    };

    /// <summary>The fault an event carries itself (a build's, a resize's, the guest's), else none.</summary>
    public static string? FaultOf(IInstanceEvent e) => e switch
    {
        BuildFailed f => f.Fault,
        ResizeCompleted r => r.Fault,
        DetachCompleted d => d.Fault,
        PromotionMemberMoved m => m.Fault,
        PromotionFailed f => f.Fault,
        ReplicaSetChanged r => r.Fault,
        GuestFaultChanged g => g.Fault,
        _ => null,
    };

    /// <summary>The user whose request caused the event (<see cref="InstanceCallers.Stamp"/>); none in an earlier release's events.</summary>
    public static string? UserOf(IInstanceEvent e) => e switch
    {
        Created c => c.User,
        DeleteRequested d => d.User,
        Renamed r => r.User,
        RootEnabled r => r.By,
        RestartStarted r => r.User,
        StatusReset r => r.User,
        ResizeStarted r => r.User,
        BackupStarted b => b.User,
        ConfigurationAttached a => a.User,
        ConfigurationDetached d => d.User,
        AccessChanged a => a.User,
        DetachStarted d => d.User,
        PromotionStarted p => p.User,
        _ => null,
    };

    /// <summary>Upstream's InstanceTasks name of a task; none when no task runs.</summary>
    public static string? TaskName(InstanceTask task) => task switch
    {
        InstanceTask.Building => "BUILDING",
        InstanceTask.BuildError => "BUILDING_ERROR_SERVER",
        InstanceTask.Rebooting => "REBOOTING",
        InstanceTask.Resizing => "RESIZING",
        InstanceTask.RestartRequired => "RESTART_REQUIRED",
        InstanceTask.Deleting => "DELETING",
        InstanceTask.Detaching => "DETACHING",
        InstanceTask.Promoting => "PROMOTING",
        InstanceTask.Ejecting => "EJECTING",
        InstanceTask.PromotionError => "PROMOTION_ERROR",
        InstanceTask.EjectionError => "EJECTION_ERROR",
        _ => null,
    };

    /// <summary>The status the API shows for an instance; a deleted one is DELETED (its task may still say deleting).</summary>
    public static string StatusOf(InstanceState s) => s.IsDeleted ? "DELETED" : s.Status;

    public static HistoryEntry Entry(long sequenceNr, IInstanceEvent e, InstanceState after) =>
        new(sequenceNr, TypeOf(e), e.At, TaskName(after.Task), StatusOf(after), FaultOf(e), UserOf(e));

    /// <summary>The instance's events in order, each with its entry and the state it left; events before a Created
    /// (none in a whole journal) are skipped.</summary>
    public static IEnumerable<HistoryStep<InstanceState>> Steps(IEnumerable<(long SequenceNr, IInstanceEvent Event)> events)
    {
        InstanceState? state = null;
        foreach (var (seq, e) in events)
        {
            state = InstanceRegistration.Projection.Apply(state, e);
            if (state is not null)
                yield return new HistoryStep<InstanceState>(Entry(seq, e, state), state);
        }
    }
}
