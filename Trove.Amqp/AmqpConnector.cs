using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Trove.Amqp;

/// <summary>
/// One broker connection shared by a process's stages (Alpakka's cached connection provider). When the broker closed it
/// (a restart, a connection closed by an operator, a network cut), the next stage that asks for a channel opens a new
/// one. RabbitMQ.Client's automatic recovery is off: the stages recover by restarting (see <see cref="AmqpSource"/>),
/// and two recoveries racing would leave a queue with two consumers of one stage.
/// </summary>
public sealed class AmqpConnector : IAsyncDisposable
{
    private readonly Lazy<ConnectionFactory> _factory;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private volatile IConnection? _connection;
    private bool _disposed;
    private long _channelsOpened;

    private AmqpConnector(AmqpConnectionSettings settings)
    {
        Settings = settings;
        _factory = new(() => new ConnectionFactory
        {
            Uri = new Uri(settings.Uri),
            ClientProvidedName = settings.ClientName,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
        });
    }

    public AmqpConnectionSettings Settings { get; }

    public bool IsOpen => _connection?.IsOpen == true;

    /// <summary>Channels this connector has opened so far: each costs the broker a round trip to open and one to close.</summary>
    public long ChannelsOpened => Interlocked.Read(ref _channelsOpened);

    /// <summary>Connects, retrying with backoff while the broker is unreachable, until <paramref name="ct"/> ends.</summary>
    public static async Task<AmqpConnector> ConnectAsync(AmqpConnectionSettings settings, CancellationToken ct = default,
        Action<Exception>? onRetry = null)
    {
        var connector = new AmqpConnector(settings);
        var delay = settings.MinReconnectDelay;
        while (true)
        {
            try
            {
                await connector.ConnectionAsync(ct);
                return connector;
            }
            catch (BrokerUnreachableException e) when (!ct.IsCancellationRequested)
            {
                onRetry?.Invoke(e);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.MaxReconnectDelay.Ticks));
            }
        }
    }

    /// <summary>The open connection, or a new one when the last one was closed.</summary>
    /// <exception cref="BrokerUnreachableException">the broker does not answer</exception>
    public async Task<IConnection> ConnectionAsync(CancellationToken ct = default)
    {
        if (_connection is { IsOpen: true } open)
            return open;
        await _connecting.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { IsOpen: true } reopened)
                return reopened;
            if (_connection is { } closed)
                closed.Dispose();
            _connection = null;
            return _connection = await _factory.Value.CreateConnectionAsync(ct);
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async Task<IChannel> OpenChannelAsync(bool confirms, CancellationToken ct = default)
    {
        var connection = await ConnectionAsync(ct);
        Interlocked.Increment(ref _channelsOpened);
        return await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: confirms, publisherConfirmationTrackingEnabled: confirms), ct);
    }

    /// <summary>Declares each of <paramref name="declarations"/>, in order, on a channel of its own.</summary>
    public async Task DeclareAsync(IEnumerable<IDeclaration> declarations, CancellationToken ct = default)
    {
        await using var channel = await OpenChannelAsync(confirms: false, ct);
        foreach (var declaration in declarations)
            await declaration.DeclareAsync(channel, ct);
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
        await _connecting.WaitAsync();
        try
        {
            _disposed = true;
            if (_connection is not { } connection)
                return;
            try { await connection.CloseAsync(); } catch (Exception) { /* closing a broken connection */ }
            connection.Dispose();
        }
        finally
        {
            _connecting.Release();
        }
    }
}
