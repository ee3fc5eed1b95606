using Trove.Actors.Telemetry;
using Trove.Actors.Sharding;
using Akka.Actor;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;

namespace Trove.Actors.Conductor;

/// <summary>A guest's report, parsed: the instance it names, when it says it was sent, and how it reaches its entity
/// (instances, backups, a deadline for its answer).</summary>
public sealed record GuestReport(string InstanceId, DateTimeOffset Sent, Func<IActorRef, IActorRef, CancellationToken, Task> DeliverAsync);

/// <summary>Every report kind the conductor takes from guests. Each one names its instance and when it was sent, so
/// that <see cref="ReportCheck"/> holds for all of them. Each reads its args from the message's body in one pass
/// (<see cref="RpcMessage.ArgsOf{TArgs}"/>).</summary>
public static class GuestReports
{
    public static readonly IReadOnlyDictionary<string, Func<ReadOnlyMemory<byte>, GuestReport>> Kinds = new Dictionary<string, Func<ReadOnlyMemory<byte>, GuestReport>>
    {
        [GuestMethods.Heartbeat] = body =>
        {
            var heartbeat = RpcMessage.ArgsOf<HeartbeatArgs>(body.Span);
            var sent = FromEpoch(heartbeat.Sent);
            TroveMetrics.HeartbeatAge.Record(Math.Max(0, (DateTimeOffset.UtcNow - sent).TotalSeconds));
            return new GuestReport(heartbeat.InstanceId, sent, (instances, _, deadline) => instances.AskEntityAsync<InstanceReplies.HeartbeatAck>(
                new InstanceCommands.ReportHeartbeat(heartbeat.InstanceId, heartbeat.Payload.ServiceStatus, sent, heartbeat.Payload.Fault,
                    heartbeat.Payload.VolumeUsed, heartbeat.Payload.ReplicationLag), deadline));
        },
        // The location a guest reports is not taken: the control plane knows where a backup's file is.
        [GuestMethods.UpdateBackup] = body =>
        {
            var update = RpcMessage.ArgsOf<UpdateBackupArgs>(body.Span);
            var sent = FromEpoch(update.Sent);
            return new GuestReport(update.InstanceId, sent, (_, backups, deadline) => backups.AskEntityAsync<BackupReplies.ReportAck>(
                new BackupCommands.Report(update.BackupId, update.InstanceId, update.State, update.Size, update.Checksum, sent, update.Fault,
                    update.Etag),
                deadline));
        },
    };

    private static DateTimeOffset FromEpoch(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
}
