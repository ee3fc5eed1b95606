namespace Trove.Actors.Backups;

/// <summary>The serializer manifests of the backup family's stored events and state and of the messages that cross
/// nodes. A manifest, once used, is never changed or reused: a renamed type keeps its manifest here.</summary>
public static class BackupManifests
{
    public static IReadOnlyDictionary<string, Type> All { get; } = new Dictionary<string, Type>
    {
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
        ["backup.abandoned.v1"] = typeof(BackupEvents.Abandoned),
        ["backup.take"] = typeof(BackupCommands.Take),
        ["backup.get-chain"] = typeof(BackupCommands.GetChain),
        ["backup.conflict"] = typeof(BackupReplies.Conflict),
        ["backup.invalid"] = typeof(BackupReplies.Invalid),
        ["backup.not-supported"] = typeof(BackupReplies.NotSupported),
        ["backup.instance-not-found"] = typeof(BackupReplies.InstanceNotFound),
        ["backup.failed"] = typeof(BackupReplies.Failed),
        ["backup.chain"] = typeof(BackupReplies.Chain),
        ["backup.quota-returned.v1"] = typeof(BackupEvents.QuotaReturned),
        ["backup.quota-exceeded"] = typeof(BackupReplies.QuotaExceeded),
        ["backup.child-added.v1"] = typeof(BackupEvents.ChildAdded),
        ["backup.add-child"] = typeof(BackupCommands.AddChild),
    };
}
