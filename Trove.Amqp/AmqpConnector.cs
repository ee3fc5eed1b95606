using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Trove.Amqp;

/// <summary>
/// One broker connection per process. RabbitMQ.Client's automatic recovery reconnects it and re-declares
/// what was declared through it; consumers resume on their own after a recovery.
/// </summary>
public sealed class AmqpConnector : IAsyncDisposable
{
    private readonly IConnection _connection;
    public AmqpSettings Settings { get; }

    private AmqpConnector(IConnection connection, AmqpSettings settings)
    {
        _connection = connection;
        Settings = settings;
    }

    public bool IsOpen => _connection.IsOpen;

    /// <summary>Connects, retrying while the broker is unreachable, until <paramref name="ct"/> ends.</summary>
    public static async Task<AmqpConnector> ConnectAsync(AmqpSettings settings, string clientName, CancellationToken ct = default,
        Action<Exception>? onRetry = null)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(settings.Uri),
            ClientProvidedName = clientName,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        };
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                var connection = await factory.CreateConnectionAsync(ct);
                var connector = new AmqpConnector(connection, settings);
                if (settings.DeclaresTopology)
                    await connector.DeclareExchangesAsync(ct);
                return connector;
            }
            catch (BrokerUnreachableException e) when (!ct.IsCancellationRequested)
            {
                onRetry?.Invoke(e);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    public Task<IChannel> OpenChannelAsync(bool confirms, CancellationToken ct = default) =>
        _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: confirms, publisherConfirmationTrackingEnabled: confirms),
            ct);

    private async Task DeclareExchangesAsync(CancellationToken ct)
    {
        await using var channel = await OpenChannelAsync(confirms: false, ct);
        await channel.ExchangeDeclareAsync(Settings.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.ExchangeDeclareAsync(Settings.ReplyExchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
    }

    /// <summary>Declares a durable queue bound to the exchange under its own name, so that it holds
    /// messages for a consumer that has not started yet (a guest still booting, a conductor restarting).</summary>
    public async Task DeclareQueueAsync(string queue, CancellationToken ct = default)
    {
        await using var channel = await OpenChannelAsync(confirms: false, ct);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(queue, Settings.Exchange, queue, cancellationToken: ct);
    }

    public async Task DeleteQueueAsync(string queue, CancellationToken ct = default)
    {
        await using var channel = await OpenChannelAsync(confirms: false, ct);
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: ct);
    }

    /// <summary>Messages waiting and consumers attached, or null when the queue does not exist.</summary>
    public async Task<(uint Messages, uint Consumers)?> InspectQueueAsync(string queue, CancellationToken ct = default)
    {
        try
        {
            await using var channel = await OpenChannelAsync(confirms: false, ct);
            var ok = await channel.QueueDeclarePassiveAsync(queue, ct);
            return (ok.MessageCount, ok.ConsumerCount);
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await _connection.CloseAsync(); } catch (Exception) { /* closing a broken connection */ }
        _connection.Dispose();
    }
}
