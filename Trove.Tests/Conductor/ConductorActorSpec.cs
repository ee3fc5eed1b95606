using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit;
using Trove.Actors.Backups;
using Trove.Actors.Conductor;
using Trove.Actors.Instances;
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

    private TestBroker _broker = null!;
    private readonly ReportCheck _check = new(TimeSpan.FromSeconds(60));
    private readonly TestProbe _instances;
    private readonly TestProbe _backups;
    private readonly TestProbe _warnings;

    public ConductorActorSpec() : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING"))
    {
        _instances = Entity(InstanceReplies.HeartbeatAck.Instance);
        _backups = Entity(BackupReplies.ReportAck.Instance);
        _warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(_warnings.Ref, typeof(Warning));
    }

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        Sys.ActorOf(ConductorActor.Props(_broker.Node, _broker.Settings, _instances.Ref, _backups.Ref, _check, TimeSpan.FromSeconds(5)));
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private TestProbe Entity(object ack)
    {
        var probe = CreateTestProbe();
        probe.SetAutoPilot(new DelegateAutoPilot((sender, _) =>
        {
            sender.Tell(ack);
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
}
