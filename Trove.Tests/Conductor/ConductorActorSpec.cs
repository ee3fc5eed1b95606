using System.Net.Http.Json;
using System.Text.Json;
using Trove.Actors.Guests;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit;
using Trove.Actors.Backups;
using Trove.Actors.Conductor;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;
using Trove.Tests.Support;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Tests.Conductor;

/// <summary>The conductor on the real broker, with guests on their own broker users; the entities are probes.</summary>
public sealed class ConductorActorSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    /// <summary>A report of each kind the conductor takes, naming an instance and when it was sent.</summary>
    private static readonly Dictionary<string, Func<string, double, RpcMessage>> Samples = new()
    {
        [GuestMethods.Heartbeat] = (id, sent) => RpcMessage.Create(GuestMethods.Heartbeat,
            new HeartbeatArgs(id, new HeartbeatPayload(ServiceStatusNames.Shutdown), sent)),
        [GuestMethods.UpdateBackup] = (id, sent) => RpcMessage.Create(GuestMethods.UpdateBackup,
            new UpdateBackupArgs(id, Guid.NewGuid().ToString(), sent, BackupStatus.Completed, 1, "x", "/etc/passwd")),
    };

    /// <summary>Longer than any report waits for the entity here, but for the ones it fails.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    private TestBroker _broker = null!;
    private readonly ReportCheck _check = new(TimeSpan.FromSeconds(60), new OlderReleaseGuests());
    private readonly TestProbe _instances;
    private readonly TestProbe _backups;
    private readonly TestProbe _warnings;
    private readonly TestProbe _errors;
    /// <summary>Where the conductor says how far behind it is (a node's conductor clock).</summary>
    private readonly TestProbe _lags;
    /// <summary>While set, the instance entity answers every report with this failure (a journal down, say).</summary>
    private volatile Exception? _instancesFail;
    /// <summary>While set, the instance entity fails every report of this instance.</summary>
    private volatile string? _instanceFailing;
    /// <summary>While set, a report's first delivery to the instance entity is dropped on its way, as by a shard handing
    /// off (<see cref="Undelivered"/> back to its asker).</summary>
    private volatile bool _firstTryDropped;
    private readonly HashSet<object> _triedOnce = [];
    /// <summary>How long the instance entity takes to answer a report.</summary>
    private volatile int _instancesDelayMs;
    /// <summary>The instance entity answers no report before this completes.</summary>
    private volatile Task _instancesHeld = Task.CompletedTask;

    public ConductorActorSpec() : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
    {
        _instances = Entity(InstanceReplies.HeartbeatAck.Instance,
            report => report is InstanceCommands.ReportHeartbeat { InstanceId: var id } && id == _instanceFailing
                ? new InvalidOperationException($"instance {id} is failing")
                : _instancesFail,
            () => _instancesDelayMs > 0 ? Task.Delay(_instancesDelayMs) : _instancesHeld);
        _backups = Entity(BackupReplies.ReportAck.Instance, _ => null, () => Task.CompletedTask);
        _warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(_warnings.Ref, typeof(Warning));
        _errors = CreateTestProbe();
        Sys.EventStream.Subscribe(_errors.Ref, typeof(Error));
        _lags = CreateTestProbe();
    }

    private IActorRef _conductor = ActorRefs.Nobody;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _conductor = StartConductor();
    }

    private IActorRef StartConductor() =>
        Sys.ActorOf(ConductorActor.Props(_broker.Node, _broker.Settings, _instances.Ref, _backups.Ref, _check, AskTimeout, _lags.Ref));

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private TestProbe Entity(object ack, Func<object, Exception?> failure, Func<Task> answered)
    {
        var probe = CreateTestProbe();
        probe.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (_firstTryDropped && ack is InstanceReplies.HeartbeatAck && _triedOnce.Add(message))
            {
                sender.Tell(new Undelivered(message.GetType().Name));
                return AutoPilot.KeepRunning;
            }
            object reply = failure(message) is { } e ? new Status.Failure(e) : ack;
            if (answered() is { IsCompleted: false } later)
                later.ContinueWith(_ => sender.Tell(reply));
            else
                sender.Tell(reply);
            return AutoPilot.KeepRunning;
        }));
        return probe;
    }

    private Task ReportAsync(AmqpConnector publisherConnection, RpcMessage report) =>
        _broker.PublishAsync(publisherConnection, _broker.Settings.ConductorQueue, report);

    private void ExpectRefusal(string kind, string instanceId, string why) =>
        _warnings.FishForMessage<Warning>(w => w.Message.ToString()!.Contains($"refused a {kind} for instance {instanceId}")
                                               && w.Message.ToString()!.Contains(why), TimeSpan.FromSeconds(10));

    [Fact]
    public void The_samples_cover_every_report_kind_the_conductor_takes() =>
        Assert.Equal(GuestReports.Kinds.Keys.Order(), Samples.Keys.Order());

    [Fact]
    public async Task A_report_for_an_instance_from_another_guest_or_the_node_user_is_refused_logged_and_counted()
    {
        var (a, _) = await _broker.GuestAsync();
        var (b, guestB) = await _broker.GuestAsync();
        foreach (var (kind, sample) in Samples)
        {
            await ReportAsync(guestB, sample(a, HeartbeatArgs.Now()));
            ExpectRefusal(kind, a, $"'{TroveBroker.GuestUser(b)}'");
            await ReportAsync(_broker.Node, sample(a, HeartbeatArgs.Now()));
            ExpectRefusal(kind, a, $"'{_broker.Settings.UserName}'");
        }
        Assert.Equal(2 * Samples.Count, _check.Refused);
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        _backups.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public async Task A_report_sent_in_the_future_is_refused_and_the_guests_own_reports_reach_their_entities()
    {
        var (a, guestA) = await _broker.GuestAsync();
        foreach (var (kind, sample) in Samples)
        {
            await ReportAsync(guestA, sample(a, HeartbeatArgs.Now() + 3600));
            ExpectRefusal(kind, a, "in the future");
        }
        Assert.Equal(Samples.Count, _check.Refused);

        foreach (var (_, sample) in Samples)
            await ReportAsync(guestA, sample(a, HeartbeatArgs.Now()));
        Assert.Equal(a, _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10)).InstanceId);
        Assert.Equal(a, _backups.ExpectMsg<BackupCommands.Report>(TimeSpan.FromSeconds(10)).InstanceId);
        Assert.Equal(Samples.Count, _check.Refused);
    }

    [Fact]
    public async Task A_failed_backups_fault_reaches_its_entity_and_an_older_guests_report_without_one_still_does()
    {
        var (a, guestA) = await _broker.GuestAsync();
        var failed = new UpdateBackupArgs(a, "b1", HeartbeatArgs.Now(), BackupStatus.Failed, Fault: "pg_dump: error: connection lost");
        Assert.Equal("pg_dump: error: connection lost", (string?)RpcMessage.Create(GuestMethods.UpdateBackup, failed).Args["fault"]);
        await ReportAsync(guestA, RpcMessage.Create(GuestMethods.UpdateBackup, failed));
        Assert.Equal(("b1", "pg_dump: error: connection lost"), _backups.ExpectMsg<BackupCommands.Report>(TimeSpan.FromSeconds(10)) is var r ? (r.BackupId, r.Fault) : default);

        // As a guest of release d88d1e5 writes it: no "fault".
        var older = RpcMessage.Parse(System.Text.Encoding.UTF8.GetBytes(
            $$"""{"method":"update_backup","args":{"instance_id":"{{a}}","backup_id":"b2","sent":{{HeartbeatArgs.Now()}},"state":"FAILED"},"version":"1.0"}"""));
        await ReportAsync(guestA, older);
        var report = _backups.ExpectMsg<BackupCommands.Report>(TimeSpan.FromSeconds(10));
        Assert.Equal(("b2", BackupStatus.Failed, (string?)null), (report.BackupId, report.State, report.Fault));
    }

    [Fact]
    public async Task A_report_its_entity_fails_to_take_is_requeued_once_and_dropped_with_a_log_line_when_it_fails_again()
    {
        var (a, guestA) = await _broker.GuestAsync();
        _instancesFail = new InvalidOperationException("the journal is down");
        await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, HeartbeatArgs.Now()));

        var first = _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10));
        _warnings.FishForMessage<Warning>(w => w.Message.ToString()!.Contains($"a heartbeat for instance {a} failed") && w.Message.ToString()!.Contains("requeued"),
            TimeSpan.FromSeconds(10));
        Assert.Equal(first, _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10))); // tried once more
        _errors.FishForMessage<Error>(e => e.Message.ToString()!.Contains($"dropping a heartbeat for instance {a}: it failed again"), TimeSpan.FromSeconds(10));
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // not a third time
        Assert.Equal(0u, (await _broker.Node.InspectQueueAsync(_broker.Settings.ConductorQueue))!.Value.Messages);

        // A report that fails once and is taken on its redelivery (a shard that moved meanwhile) is not lost.
        _instancesFail = new InvalidOperationException("the shard is moving");
        await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, HeartbeatArgs.Now()));
        var failedOnce = _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10));
        _instancesFail = null;
        Assert.Equal(failedOnce, _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10)));
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Of_reports_handled_together_one_its_entity_fails_comes_again_alone_and_the_others_are_acknowledged()
    {
        var (a, guestA) = await _broker.GuestAsync();
        var (b, guestB) = await _broker.GuestAsync();
        _instanceFailing = a;
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _instancesHeld = answer.Task;
        // Queued while no conductor runs, so that the next one takes them in a few runs, not one by one.
        Watch(_conductor);
        Sys.Stop(_conductor);
        ExpectTerminated(_conductor, TimeSpan.FromSeconds(10));
        await AwaitAssertAsync(async () => Assert.Equal(0u, (await _broker.Node.InspectQueueAsync(_broker.Settings.ConductorQueue))!.Value.Consumers),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        var start = Math.Floor(HeartbeatArgs.Now()) - 1000;
        for (var i = 0; i < 20; i++)
            await ReportAsync(i % 2 == 1 ? guestA : guestB, Samples[GuestMethods.Heartbeat](i % 2 == 1 ? a : b, start + i)); // a's last
        await AwaitAssertAsync(async () => Assert.Equal(20u, (await _broker.Node.InspectQueueAsync(_broker.Settings.ConductorQueue))!.Value.Messages),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        _conductor = StartConductor();

        // All with their entities at once, a's failing; then each of a's once more, and no other.
        for (var i = 0; i < 20; i++)
            _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10));
        answer.SetResult();
        for (var i = 0; i < 10; i++)
            Assert.Equal(a, _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10)).InstanceId);
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(500));

        // Nothing left in the queue nor unacknowledged, and the acks of b's reports did not trip over a's (an ack of a
        // delivery already given back is a channel error, which would restart the stream).
        await AwaitAssertAsync(async () =>
        {
            var queue = await _broker.Management.GetFromJsonAsync<JsonElement>(
                $"api/queues/%2F/{Uri.EscapeDataString(_broker.Settings.ConductorQueue)}");
            Assert.Equal((0, 0), (queue.GetProperty("messages_ready").GetInt32(), queue.GetProperty("messages_unacknowledged").GetInt32()));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        Assert.DoesNotContain(_warnings.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => m as Warning),
            w => w.LogSource == _conductor.Path.ToString() && w.Message.ToString()!.Contains("restarting its stream"));
    }

    [Fact]
    public async Task A_report_dropped_on_its_way_to_its_entity_is_sent_again_and_acknowledged_once_taken()
    {
        var (a, guestA) = await _broker.GuestAsync();
        _firstTryDropped = true;
        var start = Math.Floor(HeartbeatArgs.Now()) - 100;
        for (var i = 0; i < 5; i++)
            await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, start + i));

        var tries = Enumerable.Range(0, 10).Select(_ => _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10)).Sent).ToList();
        Assert.All(tries.GroupBy(sent => sent), tried => Assert.Equal(2, tried.Count()));
        _instances.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // none requeued: each was taken on its second try
        await AwaitAssertAsync(async () =>
        {
            var queue = await _broker.Management.GetFromJsonAsync<JsonElement>(
                $"api/queues/%2F/{Uri.EscapeDataString(_broker.Settings.ConductorQueue)}");
            Assert.Equal((0, 0), (queue.GetProperty("messages_ready").GetInt32(), queue.GetProperty("messages_unacknowledged").GetInt32()));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Hundreds_of_reports_are_with_their_entities_at_once_and_none_is_acknowledged_before_its_entity_answered()
    {
        var (a, guestA) = await _broker.GuestAsync();
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _instancesHeld = answer.Task;
        var start = Math.Floor(HeartbeatArgs.Now()) - 1000;
        const int reports = 300;
        for (var i = 0; i < reports; i++)
            await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, start + i));

        // All of them reach their entity before it answers any (not a prefetch of 64 at a time, nor again after a timeout).
        var held = Enumerable.Range(0, reports).Select(_ => _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(20)).Sent);
        Assert.Equal(reports, held.Distinct().Count());
        // None was acknowledged: the connection gone, the broker gives every one of them again.
        await TestBroker.CloseConnectionsAsync(_broker.Management, _broker.NodeName);
        for (var i = 0; i < reports; i++)
            _instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(30));

        // Once answered, they are acknowledged, in batches: none is left with the conductor nor in the queue.
        answer.SetResult();
        await AwaitAssertAsync(async () =>
        {
            var queue = await _broker.Management.GetFromJsonAsync<JsonElement>(
                $"api/queues/%2F/{Uri.EscapeDataString(_broker.Settings.ConductorQueue)}");
            Assert.Equal((0, 0), (queue.GetProperty("messages_ready").GetInt32(), queue.GetProperty("messages_unacknowledged").GetInt32()));
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task The_conductor_carries_on_after_its_connection_is_closed_with_reports_in_flight_and_loses_none()
    {
        var (a, guestA) = await _broker.GuestAsync();
        _instancesDelayMs = 50; // reports are in the entity's hands when the connection goes
        var start = Math.Floor(HeartbeatArgs.Now()) - 100; // whole seconds apart, so that each maps to its own instant
        var sent = Enumerable.Range(0, 40).Select(i => start + i).ToList();
        foreach (var at in sent)
            await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, at));

        var seen = new HashSet<DateTimeOffset>();
        seen.Add(_instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(10)).Sent);
        await TestBroker.CloseConnectionsAsync(_broker.Management, _broker.NodeName);
        _warnings.FishForMessage<Warning>(w => w.Message.ToString()!.Contains("conductor: restarting its stream"), TimeSpan.FromSeconds(20));
        while (seen.Count < sent.Count)
            seen.Add(_instances.ExpectMsg<InstanceCommands.ReportHeartbeat>(TimeSpan.FromSeconds(20)).Sent);

        // Every report reached its entity (some twice: their acks went with the connection), and new ones still do.
        Assert.Equal(sent.Select(s => DateTimeOffset.FromUnixTimeMilliseconds((long)(s * 1000))).Order(), seen.Order());
        _instancesDelayMs = 0;
        var later = HeartbeatArgs.Now() + 1;
        await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, later));
        _instances.FishForMessage<InstanceCommands.ReportHeartbeat>(h => h.Sent == DateTimeOffset.FromUnixTimeMilliseconds((long)(later * 1000)),
            TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task The_conductor_says_how_far_behind_the_reports_it_handles_are_and_while_it_is_stuck_its_lag_grows()
    {
        var (a, guestA) = await _broker.GuestAsync();
        TimeSpan NextLag() => _lags.ExpectMsg<ConductorClockActor.Measured>(TimeSpan.FromSeconds(10)).Lag;

        // A backlog: reports sent ten minutes ago, handled now.
        var tenMinutesAgo = HeartbeatArgs.Now() - 600;
        for (var i = 0; i < 5; i++)
            await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, tenMinutesAgo + i));
        _lags.FishForMessage<ConductorClockActor.Measured>(m => m.Lag > TimeSpan.FromSeconds(590), TimeSpan.FromSeconds(10));

        // Caught up: the reports handled now were sent just now (a majority of the last ones handled).
        for (var i = 0; i < 10; i++)
            await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, HeartbeatArgs.Now()));
        _lags.FishForMessage<ConductorClockActor.Measured>(m => m.Lag < TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10));

        // Stuck: a report in flight that its entity does not answer; the conductor makes no progress and says so.
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _instancesHeld = answer.Task;
        await ReportAsync(guestA, Samples[GuestMethods.Heartbeat](a, HeartbeatArgs.Now()));
        var stuck = NextLag();
        _lags.FishForMessage<ConductorClockActor.Measured>(m => m.Lag > stuck, TimeSpan.FromSeconds(10));
        answer.SetResult();
    }
}
