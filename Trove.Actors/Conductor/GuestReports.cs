using Trove.Actors.Telemetry;
using Trove.Actors.Sharding;
using Akka.Actor;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;

namespace Trove.Actors.Conductor;

/// <summary>A guest's report, parsed: the instance it names, when it says it was sent, the command it is for its entity
/// (of <see cref="Entity"/>'s kind), and the reply that says the entity handled it.</summary>
public sealed record GuestReport(string InstanceId, DateTimeOffset Sent, ReportedTo Entity, object Command, Type Handled)
{
    public IActorRef RegionOf(IActorRef instances, IActorRef backups) => Entity == ReportedTo.Instance ? instances : backups;

    /// <summary>Whether <paramref name="answer"/> is the reply that says the entity handled the report.</summary>
    public bool HandledBy(object? answer) => Handled.IsInstanceOfType(answer);

    /// <summary>Why an answer other than the expected reply (<see cref="HandledBy"/>) does not count as handled.</summary>
    public InvalidCastException NotHandledBy(object answer) => new($"answered with {answer.GetType().Name}, not {Handled.Name}");
}

/// <summary>The entity kind a report goes to.</summary>
public enum ReportedTo { Instance, Backup }

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
            return new GuestReport(heartbeat.InstanceId, sent, ReportedTo.Instance,
                new InstanceCommands.ReportHeartbeat(heartbeat.InstanceId, heartbeat.Payload.ServiceStatus, sent, heartbeat.Payload.Fault,
                    heartbeat.Payload.VolumeUsed, heartbeat.Payload.ReplicationLag),
                typeof(InstanceReplies.HeartbeatAck));
        },
        // The location a guest reports is not taken: the control plane knows where a backup's file is.
        [GuestMethods.UpdateBackup] = body =>
        {
            var update = RpcMessage.ArgsOf<UpdateBackupArgs>(body.Span);
            var sent = FromEpoch(update.Sent);
            return new GuestReport(update.InstanceId, sent, ReportedTo.Backup,
                new BackupCommands.Report(update.BackupId, update.InstanceId, update.State, update.Size, update.Checksum, sent, update.Fault,
                    update.Etag),
                typeof(BackupReplies.ReportAck));
        },
    };

    private static DateTimeOffset FromEpoch(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
}
