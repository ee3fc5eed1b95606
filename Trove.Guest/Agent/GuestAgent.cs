using System.Text.Json;
using System.Text.Json.Nodes;
using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Actors.Guests;
using Trove.Actors.Messaging;
using Trove.Guest.Datastores;

namespace Trove.Guest.Agent;

/// <summary>
/// Consumes the guest's queue, dispatches each message by method to the datastore manager, replies to calls,
/// acknowledges a message only once handled, and reports heartbeats to the conductor.
/// </summary>
public sealed class GuestAgent(GuestInfo info, IDatastoreManager manager, GuestDispatcher dispatcher, ILogger<GuestAgent> log) : BackgroundService
{
    private readonly string _preparedMarker = Path.Combine(info.Directory, ".guestagent.prepare.end");
    private AmqpPublisher? _publisher;
    private volatile bool _preparing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await File.WriteAllTextAsync(Path.Combine(info.Directory, "guest.pid"), Environment.ProcessId.ToString(), stoppingToken);
        var settings = new AmqpSettings { Uri = info.AmqpUri, Exchange = info.Exchange, ConductorQueue = info.ConductorQueue, Prefetch = 1 };
        await using var connector = await AmqpConnector.ConnectAsync(settings, $"guest-{info.InstanceId}", stoppingToken,
            e => log.LogWarning("broker unreachable, retrying: {Error}", e.GetBaseException().Message));
        await using var publisher = _publisher = await AmqpPublisher.CreateAsync(connector, stoppingToken);
        await connector.DeclareQueueAsync(info.ConductorQueue, stoppingToken); // reports wait there while no conductor runs

        if (File.Exists(_preparedMarker))
            await manager.StartAsync(stoppingToken); // a guest restarted after prepare: its engine comes back too

        using var system = ActorSystem.Create("guest", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        var (kill, done) = AmqpSource.Create(connector, AmqpSettings.GuestQueue(info.InstanceId), prefetch: 1)
            .ViaMaterialized(KillSwitches.Single<AmqpIncoming>(), Keep.Right)
            .SelectAsync(1, HandleAsync)
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Both)
            .Run(system.Materializer());
        log.LogInformation("guest {Id} ({Datastore} {Version}) serving {Queue}", info.InstanceId, info.Datastore, info.DatastoreVersion,
            AmqpSettings.GuestQueue(info.InstanceId));

        try
        {
            await HeartbeatLoopAsync(stoppingToken);
        }
        finally
        {
            kill.Shutdown();
            await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(5)));
            await manager.StopAsync(CancellationToken.None); // like a server shutting down, the engine stops with it
            log.LogInformation("guest {Id} stopped", info.InstanceId);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(info.HeartbeatIntervalSeconds));
        do
        {
            if (File.Exists(_preparedMarker) && !_preparing)
                await TryReportAsync(await manager.GetStatusAsync(ct), ct);
        } while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task<Done> HandleAsync(AmqpIncoming incoming)
    {
        RpcMessage message;
        try
        {
            message = RpcMessage.Parse(incoming.Body);
        }
        catch (JsonException e)
        {
            log.LogWarning("dropping a malformed message: {Error}", e.Message);
            await incoming.RejectAsync();
            return Done.Instance;
        }

        RpcReply reply;
        try
        {
            reply = new RpcReply(await DispatchAsync(message), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "{Method} failed", message.Method);
            reply = new RpcReply(null, e.Message, GuestDispatcher.KindOf(e));
        }
        if (incoming is { ReplyTo: { } replyTo, CorrelationId: { } correlationId })
            await _publisher!.ReplyAsync(replyTo, correlationId, reply);
        await incoming.AckAsync();
        return Done.Instance;
    }

    /// <summary>Methods that change the engine's state report it at once; the rest go to the dispatcher.</summary>
    private async Task<JsonNode?> DispatchAsync(RpcMessage message)
    {
        switch (message.Method)
        {
            case GuestMethods.Prepare:
                await PrepareAsync(message.ArgsAs<PrepareArgs>());
                return null;
            case GuestMethods.StopDb:
                await manager.StopAsync(CancellationToken.None);
                break;
            case GuestMethods.StartDb:
                await manager.StartAsync(CancellationToken.None);
                break;
            case GuestMethods.Restart:
                await manager.RestartAsync(CancellationToken.None);
                break;
            default:
                return await dispatcher.DispatchAsync(message, CancellationToken.None);
        }
        await TryReportAsync(await manager.GetStatusAsync(CancellationToken.None), CancellationToken.None);
        return null;
    }

    private async Task PrepareAsync(PrepareArgs args)
    {
        _preparing = true;
        try
        {
            await TryReportAsync(ServiceStatusNames.Building, CancellationToken.None);
            await manager.PrepareAsync(args, CancellationToken.None);
            await File.WriteAllTextAsync(_preparedMarker, DateTimeOffset.UtcNow.ToString("O"));
        }
        catch (Exception)
        {
            await TryReportAsync(ServiceStatusNames.Failed, CancellationToken.None);
            throw;
        }
        finally
        {
            _preparing = false;
        }
        await TryReportAsync(await manager.GetStatusAsync(CancellationToken.None), CancellationToken.None);
    }

    private async Task TryReportAsync(string serviceStatus, CancellationToken ct)
    {
        try
        {
            var heartbeat = new HeartbeatArgs(info.InstanceId, new HeartbeatPayload(serviceStatus), HeartbeatArgs.Now());
            await _publisher!.PublishAsync(info.ConductorQueue, RpcMessage.Create(GuestMethods.Heartbeat, heartbeat), ct: ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("heartbeat not sent: {Error}", e.Message); // the next one will be
        }
    }
}
