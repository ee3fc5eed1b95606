using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Amqp;
using Trove.Contracts.Guests;

namespace Trove.Actors.Broker;

/// <summary>The node's broker connection, publisher and RPC client; connected before the actor system starts.</summary>
public sealed class AmqpClients(BrokerSettings settings, ILogger<AmqpClients> log) : IHostedService
{
    private AmqpConnector? _connector;
    private AmqpPublisher? _publisher;
    private AmqpRpcClient? _rpc;

    public BrokerSettings Settings => settings;
    public bool IsStarted => _connector is not null;
    public AmqpConnector Connector => _connector ?? throw new InvalidOperationException("AMQP is not connected yet");
    public AmqpPublisher Publisher => _publisher ?? throw new InvalidOperationException("AMQP is not connected yet");
    public AmqpRpcClient Rpc => _rpc ?? throw new InvalidOperationException("AMQP is not connected yet");

    public async Task StartAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        _connector = await AmqpConnector.ConnectAsync(settings.Connection($"trove-node-{Environment.MachineName}"), timeout.Token,
            e => log.LogWarning("broker unreachable, retrying: {Error}", e.GetBaseException().Message));
        await _connector.DeclareAsync(settings.Topology, timeout.Token);
        _publisher = new AmqpPublisher(_connector);
        _rpc = await AmqpRpcClient.CreateAsync(_connector, _publisher,
            new AmqpRpcSettings(settings.ReplyExchange, TroveBroker.NewReplyQueue()), log, timeout.Token);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_rpc is not null) await _rpc.DisposeAsync();
        if (_publisher is not null) await _publisher.DisposeAsync();
        if (_connector is not null) await _connector.DisposeAsync();
    }
}
