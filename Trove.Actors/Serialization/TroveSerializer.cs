using System.Collections.Frozen;
using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;

namespace Trove.Actors.Serialization;

/// <summary>
/// JSON for every <see cref="ITroveMessage"/>, under stable string manifests: stored events and messages between
/// nodes of different versions keep their meaning across renames. A manifest, once used, is never reused.
/// </summary>
public sealed class TroveSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly FrozenDictionary<string, Type> TypesByManifest = new Dictionary<string, Type>
    {
        ["instance.created.v1"] = typeof(InstanceEvents.Created),
        ["instance.server-created.v1"] = typeof(InstanceEvents.ServerCreated),
        ["instance.service-status-changed.v1"] = typeof(InstanceEvents.ServiceStatusChanged),
        ["instance.build-completed.v1"] = typeof(InstanceEvents.BuildCompleted),
        ["instance.build-failed.v1"] = typeof(InstanceEvents.BuildFailed),
        ["instance.delete-requested.v1"] = typeof(InstanceEvents.DeleteRequested),
        ["instance.deleted.v1"] = typeof(InstanceEvents.Deleted),
        ["instance.renamed.v1"] = typeof(InstanceEvents.Renamed),
        ["instance.root-enabled.v1"] = typeof(InstanceEvents.RootEnabled),
        ["instance.restart-started.v1"] = typeof(InstanceEvents.RestartStarted),
        ["instance.restart-completed.v1"] = typeof(InstanceEvents.RestartCompleted),
        ["instance.status-reset.v1"] = typeof(InstanceEvents.StatusReset),
        ["instance.state.v1"] = typeof(InstanceState),
        ["tenant.instance-reserved.v1"] = typeof(TenantEvents.InstanceReserved),
        ["tenant.instance-released.v1"] = typeof(TenantEvents.InstanceReleased),
        ["tenant.quotas-set.v1"] = typeof(TenantEvents.QuotasSet),
        ["tenant.state.v1"] = typeof(TenantState),
        ["tenant.reserve-instance"] = typeof(TenantCommands.ReserveInstance),
        ["tenant.release-instance"] = typeof(TenantCommands.ReleaseInstance),
        ["tenant.resize-instance"] = typeof(TenantCommands.ResizeInstance),
        ["instance.resize-started.v1"] = typeof(InstanceEvents.ResizeStarted),
        ["instance.resize-completed.v1"] = typeof(InstanceEvents.ResizeCompleted),
        ["instance.resize"] = typeof(InstanceCommands.Resize),
        ["tenant.get-quotas"] = typeof(TenantCommands.GetQuotas),
        ["tenant.set-quotas"] = typeof(TenantCommands.SetQuotas),
        ["tenant.reserved"] = typeof(TenantReplies.Reserved),
        ["tenant.released"] = typeof(TenantReplies.Released),
        ["tenant.quota-exceeded"] = typeof(TenantReplies.QuotaExceeded),
        ["tenant.quotas"] = typeof(TenantReplies.Quotas),
        ["tenant.invalid-quotas"] = typeof(TenantReplies.InvalidQuotas),
        ["backup.created.v1"] = typeof(BackupEvents.Created),
        ["backup.progressed.v1"] = typeof(BackupEvents.Progressed),
        ["backup.failed.v1"] = typeof(BackupEvents.Failed),
        ["backup.deleted.v1"] = typeof(BackupEvents.Deleted),
        ["backup.end-acknowledged.v1"] = typeof(BackupEvents.EndAcknowledged),
        ["backup.state.v1"] = typeof(BackupState),
        ["backup.create"] = typeof(BackupCommands.Create),
        ["backup.get"] = typeof(BackupCommands.Get),
        ["backup.delete"] = typeof(BackupCommands.Delete),
        ["backup.wake"] = typeof(BackupCommands.Wake),
        ["backup.report"] = typeof(BackupCommands.Report),
        ["backup.found"] = typeof(BackupReplies.Found),
        ["backup.not-found"] = typeof(BackupReplies.NotFound),
        ["backup.accepted"] = typeof(BackupReplies.Accepted),
        ["backup.refused"] = typeof(BackupReplies.Refused),
        ["backup.report-ack"] = typeof(BackupReplies.ReportAck),
        ["instance.backup-started.v1"] = typeof(InstanceEvents.BackupStarted),
        ["instance.backup-ended.v1"] = typeof(InstanceEvents.BackupEnded),
        ["instance.start-backup"] = typeof(InstanceCommands.StartBackup),
        ["instance.wake"] = typeof(InstanceCommands.Wake),
        ["instance.end-backup"] = typeof(InstanceCommands.EndBackup),
        ["instance.backup-end-ack"] = typeof(InstanceReplies.BackupEndAck),
        ["instance.conflict"] = typeof(InstanceReplies.Conflict),
        ["instance.configuration-attached.v1"] = typeof(InstanceEvents.ConfigurationAttached),
        ["instance.configuration-detached.v1"] = typeof(InstanceEvents.ConfigurationDetached),
        ["instance.attach-configuration"] = typeof(InstanceCommands.AttachConfiguration),
        ["instance.detach-configuration"] = typeof(InstanceCommands.DetachConfiguration),
        ["instance.create"] = typeof(InstanceCommands.Create),
        ["instance.get"] = typeof(InstanceCommands.Get),
        ["instance.inspect"] = typeof(InstanceCommands.Inspect),
        ["instance.inspected"] = typeof(InstanceReplies.Inspected),
        ["instance.delete"] = typeof(InstanceCommands.Delete),
        ["instance.heartbeat"] = typeof(InstanceCommands.ReportHeartbeat),
        ["instance.call-guest"] = typeof(InstanceCommands.CallGuest),
        ["instance.enable-root"] = typeof(InstanceCommands.EnableRoot),
        ["instance.disable-root"] = typeof(InstanceCommands.DisableRoot),
        ["instance.restart"] = typeof(InstanceCommands.Restart),
        ["instance.rename"] = typeof(InstanceCommands.Rename),
        ["instance.reset-status"] = typeof(InstanceCommands.ResetStatus),
        ["instance.guest-result"] = typeof(InstanceReplies.GuestResult),
        ["instance.guest-failed"] = typeof(InstanceReplies.GuestFailed),
        ["instance.root-credentials"] = typeof(InstanceReplies.RootEnabled),
        ["instance.found"] = typeof(InstanceReplies.Found),
        ["instance.not-found"] = typeof(InstanceReplies.NotFound),
        ["instance.accepted"] = typeof(InstanceReplies.Accepted),
        ["instance.refused"] = typeof(InstanceReplies.Refused),
        ["instance.failed"] = typeof(InstanceReplies.Failed),
        ["instance.heartbeat-ack"] = typeof(InstanceReplies.HeartbeatAck),
        ["instance.quota-requested.v1"] = typeof(QuotaEvents.Requested),
        ["instance.quota-reserved.v1"] = typeof(QuotaEvents.Reserved),
        ["instance.quota-released.v1"] = typeof(QuotaEvents.Released),
        ["instance.quota-exceeded"] = typeof(InstanceReplies.QuotaExceeded),
        ["instance.create-databases"] = typeof(InstanceCommands.CreateDatabases),
        ["instance.delete-database"] = typeof(InstanceCommands.DeleteDatabase),
        ["instance.list-databases"] = typeof(InstanceCommands.ListDatabases),
        ["instance.create-users"] = typeof(InstanceCommands.CreateUsers),
        ["instance.delete-user"] = typeof(InstanceCommands.DeleteUser),
        ["instance.list-users"] = typeof(InstanceCommands.ListUsers),
        ["instance.update-users"] = typeof(InstanceCommands.UpdateUsers),
        ["instance.grant-access"] = typeof(InstanceCommands.GrantAccess),
        ["instance.revoke-access"] = typeof(InstanceCommands.RevokeAccess),
        ["instance.databases-listed"] = typeof(InstanceReplies.DatabasesListed),
        ["instance.users-listed"] = typeof(InstanceReplies.UsersListed),
        ["instance.guest-done"] = typeof(InstanceReplies.GuestDone),
        ["tenant.already-released"] = typeof(TenantReplies.AlreadyReleased),
        ["backup.abandoned.v1"] = typeof(BackupEvents.Abandoned),
        ["backup.take"] = typeof(BackupCommands.Take),
        ["backup.get-chain"] = typeof(BackupCommands.GetChain),
        ["backup.conflict"] = typeof(BackupReplies.Conflict),
        ["backup.invalid"] = typeof(BackupReplies.Invalid),
        ["backup.not-supported"] = typeof(BackupReplies.NotSupported),
        ["backup.instance-not-found"] = typeof(BackupReplies.InstanceNotFound),
        ["backup.failed"] = typeof(BackupReplies.Failed),
        ["backup.chain"] = typeof(BackupReplies.Chain),
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<Type, string> ManifestsByType =
        TypesByManifest.ToFrozenDictionary(p => p.Value, p => p.Key);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public override int Identifier => 4711;

    public override string Manifest(object o) =>
        ManifestsByType.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"{o.GetType()} has no manifest in {nameof(TroveSerializer)}");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        TypesByManifest.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json)!
            : throw new SerializationException($"unknown manifest '{manifest}'");

    /// <summary>Every manifest's type, so a test can prove each one round-trips.</summary>
    public static IEnumerable<Type> KnownTypes => TypesByManifest.Values;
}
