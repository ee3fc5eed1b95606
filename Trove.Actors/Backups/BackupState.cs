using Trove.Actors.Serialization;
using Trove.Contracts.Guests;
using static Trove.Actors.Backups.BackupEvents;

namespace Trove.Actors.Backups;

/// <summary>A backup as its events made it; it outlives its instance.</summary>
public sealed record BackupState(
    string Id,
    string TenantId,
    string InstanceId,
    string Name,
    string? Description,
    string? ParentId,
    string Datastore,
    string DatastoreVersion,
    string Status,
    long? Size,
    string? Checksum,
    string? Location,
    string? Fault,
    DateTimeOffset? LastReportSent,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    bool IsDeleted,
    Trove.Contracts.Guests.BackupInfo? Parent = null,
    bool EndAcknowledged = false,
    bool HoldsQuota = false,
    bool QuotaReturned = false,
    IReadOnlyList<string>? Children = null,
    string? Etag = null,
    string? CreatedBy = null) : ITroveMessage
{
    public static BackupState? Apply(BackupState? state, IBackupEvent e) => (state, e) switch
    {
        (null, Created c) => new BackupState(c.BackupId, c.Request.TenantId, c.Request.InstanceId, c.Request.Name, c.Request.Description,
            c.Request.ParentId, c.Request.Datastore, c.Request.DatastoreVersion, BackupStatus.New, null, null, null, null, null, c.At, c.At, false,
            c.Request.Parent, HoldsQuota: c.HoldsQuota, CreatedBy: c.User),
        (null, _) => null,
        (_, Progressed p) => state with
        {
            Status = p.State, Size = p.Size ?? state.Size, Checksum = p.Checksum ?? state.Checksum,
            Location = p.Location ?? state.Location, Etag = p.Etag ?? state.Etag, LastReportSent = p.Sent, Updated = p.At,
            Fault = p.State == BackupStatus.Failed ? p.Fault ?? FailedWithoutReason : state.Fault,
        },
        (_, Failed f) => state with { Status = BackupStatus.Failed, Fault = f.Fault, Updated = f.At },
        (_, Deleted d) => state with { IsDeleted = true, Updated = d.At },
        (_, BackupEvents.EndAcknowledged) => state with { EndAcknowledged = true },
        (_, ChildAdded c) => state with { Children = [.. state.Children ?? [], c.ChildId] },
        (_, BackupEvents.QuotaReturned) => state with { QuotaReturned = true },
        (_, Abandoned a) => state with { Status = BackupStatus.Failed, Fault = a.Reason, IsDeleted = true, EndAcknowledged = true, Updated = a.At },
        _ => throw new InvalidOperationException($"unknown event {e.GetType().Name}"),
    };

    /// <summary>The fault of a FAILED report that gave none (an older guest's).</summary>
    public const string FailedWithoutReason = "The guest reported that the backup failed without giving a reason.";

    public bool BelongsTo(string tenantId) => !IsDeleted && Tenants.AnyTenant.Reaches(tenantId, TenantId);
    public bool IsRunning => BackupStatus.IsRunning(Status);

    /// <summary>Taking the backup, telling its instance that it ended, or giving its quota back.</summary>
    public bool HasWork => !IsDeleted && (IsRunning || !EndAcknowledged) || MustReturnQuota;

    /// <summary>Deleted or abandoned while holding one of its tenant's <c>backups</c> quota, not yet given back.</summary>
    public bool MustReturnQuota => IsDeleted && HoldsQuota && !QuotaReturned;
}
