using Trove.Actors.Serialization;
using Trove.Contracts.Guests;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Actors.Instances;

/// <summary>The instance's task, upstream's InstanceTasks reduced to those this control plane runs.</summary>
public enum InstanceTask
{
    None,
    Building,
    BuildError,
    Rebooting,
    Resizing,
    RestartRequired,
    Deleting,
    Detaching,
    Promoting,
    Ejecting,
    PromotionError,
    EjectionError,
}

/// <summary>An instance as its events made it. Rebuilt by <see cref="Apply"/>; never changed in place.</summary>
public sealed record InstanceState(
    string Id,
    string TenantId,
    string Name,
    string FlavorId,
    int RamMb,
    int VolumeSize,
    string Datastore,
    string DatastoreVersion,
    IReadOnlyList<DatabaseSpec> Databases,
    IReadOnlyList<string> UserNames,
    InstanceTask Task,
    string ServiceStatus,
    DateTimeOffset? ServiceStatusSent,
    string? ServerId,
    string? Address,
    int? Port,
    string? Fault,
    DateTimeOffset? FaultAt,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    DateTimeOffset ServiceStatusUpdated,
    bool IsDeleted,
    bool RootEverEnabled = false,
    string? RunningBackupId = null,
    string? ConfigurationId = null,
    InstanceEvents.ResizeStarted? PendingResize = null,
    IReadOnlyList<string>? RestoreFrom = null,
    long? ConfigurationRevision = null,
    string? GuestFault = null,
    DateTimeOffset? GuestFaultAt = null,
    InstanceAccess? Access = null,
    bool RebootingServer = false,
    string? AcceptedServerId = null,
    string? VolumeId = null,
    string? ReplicaOf = null,
    IReadOnlyList<string>? Replicas = null,
    Promotion? Promotion = null,
    string? PromotedBy = null,
    string? RestoreWalOf = null,
    bool FromPool = false) : ITroveMessage
{
    public static InstanceState Apply(InstanceState? state, IInstanceEvent e) => (state, e) switch
    {
        (null, Created c) => new InstanceState(
            c.InstanceId, c.TenantId, c.Name, c.FlavorId, c.RamMb, c.VolumeSize, c.Datastore, c.DatastoreVersion, c.Databases,
            c.UserNames, InstanceTask.Building, ServiceStatusNames.New, null, null, null, null, null, null,
            c.At, c.At, c.At, false, RestoreFrom: c.RestoreFrom, ConfigurationId: c.ConfigurationId,
            ConfigurationRevision: c.ConfigurationRevision, Access: c.Access, ReplicaOf: c.ReplicaOf, RestoreWalOf: c.RestoreWalOf,
            FromPool: c.FromPool),
        (null, _) => throw new InvalidOperationException($"{e.GetType().Name} before Created"),
        (_, ServerCreated s) => state with { ServerId = s.ServerId, Address = s.Address, Port = s.Port, Updated = s.At },
        (_, ServerAccepted a) => state with { AcceptedServerId = a.ServerId },
        (_, VolumeMade v) => state with { VolumeId = v.VolumeId },
        (_, ServiceStatusChanged s) => state with
        {
            ServiceStatus = s.ServiceStatus, ServiceStatusSent = s.Sent, ServiceStatusUpdated = s.At,
        },
        (_, BuildCompleted b) => state with { Task = InstanceTask.None, Updated = b.At },
        (_, BuildFailed f) => state with { Task = InstanceTask.BuildError, Fault = f.Fault, FaultAt = f.At, Updated = f.At },
        (_, DeleteRequested d) => state with { Task = InstanceTask.Deleting, Updated = d.At },
        (_, Deleted d) => state with { IsDeleted = true, ServiceStatus = "deleted", Updated = d.At },
        (_, Renamed r) => state with { Name = r.Name, Updated = r.At },
        (_, RootEnabled r) => state with { RootEverEnabled = true, Updated = r.At },
        (_, RestartStarted r) => state with { Task = InstanceTask.Rebooting, ServiceStatus = "restarting", Updated = r.At, RebootingServer = r.RebootServer },
        (_, RestartCompleted r) => state with { Task = InstanceTask.None, Updated = r.At, RebootingServer = false },
        (_, StatusReset r) => state with
        {
            Task = InstanceTask.None, ServiceStatus = ServiceStatusNames.Unknown, Fault = null, RunningBackupId = null, Updated = r.At,
        },
        (_, ConfigurationAttached c) => state with
        {
            ConfigurationId = c.ConfigurationId, ConfigurationRevision = c.Revision,
            Task = c.RestartRequired ? InstanceTask.RestartRequired : state.Task, Updated = c.At,
        },
        (_, ConfigurationDetached c) => state with
        {
            ConfigurationId = null, ConfigurationRevision = null,
            Task = c.RestartRequired ? InstanceTask.RestartRequired : state.Task, Updated = c.At,
        },
        (_, ResizeStarted r) => state with { Task = InstanceTask.Resizing, PendingResize = r, Updated = r.At },
        (_, ResizeCompleted { Applied: true } r) => state with
        {
            Task = InstanceTask.None, VolumeSize = state.PendingResize?.VolumeSize ?? state.VolumeSize,
            FlavorId = state.PendingResize?.FlavorId ?? state.FlavorId, RamMb = state.PendingResize?.RamMb ?? state.RamMb,
            PendingResize = null, Updated = r.At,
        },
        (_, ResizeCompleted r) => state with { Task = InstanceTask.None, PendingResize = null, Fault = r.Fault, FaultAt = r.At, Updated = r.At },
        (_, BackupStarted b) => state with { RunningBackupId = b.BackupId, Updated = b.At },
        (_, BackupEnded b) => state with { RunningBackupId = state.RunningBackupId == b.BackupId ? null : state.RunningBackupId, Updated = b.At },
        (_, GuestFaultChanged g) => state with { GuestFault = g.Fault, GuestFaultAt = g.At },
        (_, AccessChanged a) => state with { Access = a.Access, Updated = a.At },
        (_, ReplicaAttached r) => state with { Replicas = [.. state.ReplicaIds.Where(id => id != r.ReplicaId), r.ReplicaId], Updated = r.At },
        (_, DetachStarted d) => state with { Task = InstanceTask.Detaching, Updated = d.At },
        (_, DetachCompleted d) => state with { Task = InstanceTask.None, ReplicaOf = d.Fault is null ? null : state.ReplicaOf, Updated = d.At },
        (_, ReplicaDropped r) => state with { Replicas = state.ReplicaIds.Where(id => id != r.ReplicaId).ToList(), Updated = r.At },
        (_, PromotionStarted p) => state with
        {
            Task = Promotion.TaskOf(p.Kind), Promotion = new Promotion(p.Kind, p.CandidateId, p.Members), Updated = p.At,
        },
        (_, PromotionJoined j) => state with { Task = Promotion.TaskOf(j.Kind), PromotedBy = j.SourceId, Updated = j.At },
        (_, PromotionMembersJoined or PromotionCandidateChosen or SourceFenced or CandidatePromoted or PromotionMemberMoved or PromotionFailed)
            => state with { Promotion = state.Promotion?.Apply(e), Updated = e.At },
        (_, ReplicaSetChanged r) => state with
        {
            ReplicaOf = r.ReplicaOf, Replicas = r.Replicas, Promotion = null, PromotedBy = null, Updated = r.At,
            Task = r.Fault is null ? InstanceTask.None : state.Task == InstanceTask.Ejecting ? InstanceTask.EjectionError : InstanceTask.PromotionError,
            Fault = r.Fault ?? state.Fault, FaultAt = r.Fault is null ? state.FaultAt : r.At,
        },
        _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
    };

    /// <summary>The API's <c>status</c>, computed as upstream's SimpleInstance.status does.</summary>
    public string Status => StatusOf(Task, IsDeleted, backingUp: RunningBackupId is not null);

    public static string StatusOf(InstanceTask task, bool deleted, bool backingUp) => task switch
    {
        InstanceTask.BuildError => "ERROR",
        InstanceTask.Building => "BUILD",
        InstanceTask.Rebooting => "REBOOT",
        InstanceTask.Resizing => "RESIZE",
        InstanceTask.RestartRequired => "RESTART_REQUIRED",
        InstanceTask.Deleting => "SHUTDOWN",
        InstanceTask.Detaching => "DETACH",
        InstanceTask.Promoting => "PROMOTE",
        InstanceTask.Ejecting => "EJECT",
        InstanceTask.PromotionError or InstanceTask.EjectionError => "ERROR",
        _ when deleted => "DELETED",
        _ => backingUp ? "BACKUP" : "ACTIVE",
    };

    /// <summary>The API's <c>operating_status</c>: the guest's reported status, shown only when no task runs.</summary>
    public string OperatingStatus => Task is InstanceTask.None or InstanceTask.RestartRequired && !IsDeleted ? ServiceStatusApi(ServiceStatus) : "";

    public static string ServiceStatusApi(string description) => description switch
    {
        ServiceStatusNames.Healthy => "HEALTHY",
        ServiceStatusNames.Running => "ACTIVE",
        ServiceStatusNames.Shutdown => "SHUTDOWN",
        ServiceStatusNames.Building => "BUILD",
        ServiceStatusNames.New => "NEW",
        ServiceStatusNames.Failed => "FAILED",
        ServiceStatusNames.FailedTimeoutGuestAgent => "ERROR",
        "blocked" => "BLOCKED",
        "paused" or "crashed" => "SHUTDOWN",
        "deleted" => "DELETED",
        "restarting" => "RESTARTING",
        _ => "ERROR",
    };

    /// <summary>The fault the API shows: why the build failed, else what the running guest reports wrong.</summary>
    public (string Message, DateTimeOffset At)? ShownFault =>
        Task is InstanceTask.BuildError or InstanceTask.PromotionError or InstanceTask.EjectionError && Fault is not null ? (Fault, FaultAt ?? Updated)
        : GuestFault is not null ? (GuestFault, GuestFaultAt ?? Updated)
        : null;

    /// <summary>The replicas that stream from this instance (upstream's <c>replicas</c>).</summary>
    public IReadOnlyList<string> ReplicaIds => Replicas ?? [];

    public bool BelongsTo(string tenantId) => !IsDeleted && Tenants.AnyTenant.Reaches(tenantId, TenantId);

    /// <summary>A build, a restart, a resize, a detach, a delete or the promotion it runs under way: the entity must carry on
    /// with it wherever it runs.</summary>
    public bool HasWork => !IsDeleted && (Task is InstanceTask.Building or InstanceTask.Rebooting or InstanceTask.Resizing or InstanceTask.Deleting
        or InstanceTask.Detaching || Promotion is not null);

    /// <summary>Upstream's validate_can_perform_action: no task running and a guest that reports a usable engine.</summary>
    public bool CanPerformAction => Task is InstanceTask.None or InstanceTask.RestartRequired && !IsDeleted && ServerId is not null && RunningBackupId is null
        && ServiceStatus is ServiceStatusNames.Healthy or ServiceStatusNames.Running or ServiceStatusNames.Shutdown or "blocked" or "crashed";
}
