using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Trove.Amqp;

/// <summary>
/// Publishes with publisher confirms: a completed publish is in the broker. Its channel is opened on first use and
/// again after it died, so a publish after a broker blip goes out on a new channel. Every message carries the
/// connection's broker user as its <c>user-id</c>, which RabbitMQ checks and a receiver may trust.
/// </summary>
public sealed class AmqpPublisher(AmqpConnector connector, TimeSpan? confirmTimeout = null) : IAsyncDisposable
{
    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly TimeSpan _confirmTimeout = confirmTimeout ?? TimeSpan.FromSeconds(30);
    private IChannel? _channel;

    public AmqpConnector Connector => connector;

    /// <summary>Publishes and waits for the broker's confirm.</summary>
    /// <exception cref="AmqpPublishRefusedException">the broker nacked the message (or returned a mandatory one)</exception>
    /// <exception cref="Exception">a broker error (connection or channel lost, no confirm in time): whether the
    /// message arrived is unknown, and the next publish opens a new channel</exception>
    public async Task PublishAsync(OutgoingMessage message, CancellationToken ct = default)
    {
        var channel = await ChannelAsync(ct);
        var properties = new BasicProperties(message.Properties) { UserId = connector.Settings.UserName };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_confirmTimeout);
        try
        {
            await channel.BasicPublishAsync(message.Exchange, message.RoutingKey, message.Mandatory, properties, message.Body, timeout.Token);
            AmqpMetrics.Published.Add(1, new KeyValuePair<string, object?>("exchange", message.Exchange));
        }
        catch (PublishException e)
        {
            AmqpMetrics.Failed("publish", "refused");
            throw new AmqpPublishRefusedException(message, e.IsReturn);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            AmqpMetrics.Failed("publish", "timeout");
            await DropAsync(channel);
            throw new TimeoutException($"no confirm for a message to '{message.Exchange}' / '{message.RoutingKey}' within {_confirmTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException or ObjectDisposedException)
        {
            AmqpMetrics.Failed("publish", "connection");
            await DropAsync(channel);
            throw;
        }
    }

    /// <summary>
    /// Publishes to a queue that must exist, declaring it only when it does not: the message goes out mandatory, and
    /// one that the broker returns (no queue took it) is published again once <paramref name="declarations"/> are made.
    /// A message to a queue that exists costs one publish and its confirm, no channel of its own and no declare; one to
    /// a queue nobody declared yet still waits there for its consumer.
    /// </summary>
    public async Task PublishDeclaringAsync(OutgoingMessage message, IEnumerable<IDeclaration> declarations, CancellationToken ct = default)
    {
        var mandatory = message with { Mandatory = true };
        try
        {
            await PublishAsync(mandatory, ct);
        }
        catch (AmqpPublishRefusedException e) when (e.Returned)
        {
            await connector.DeclareAsync(declarations, ct);
            await PublishAsync(mandatory, ct);
        }
    }

    private async Task<IChannel> ChannelAsync(CancellationToken ct)
    {
        if (_channel is { IsOpen: true } open)
            return open;
        await _opening.WaitAsync(ct);
        try
        {
            if (_channel is { IsOpen: true } reopened)
                return reopened;
            _channel?.Dispose();
            _channel = null;
            return _channel = await connector.OpenChannelAsync(confirms: true, ct);
        }
        finally
        {
            _opening.Release();
        }
    }

    private async Task DropAsync(IChannel channel)
    {
        await _opening.WaitAsync();
        try
        {
            if (_channel != channel)
                return;
            _channel = null;
        }
        finally
        {
            _opening.Release();
        }
        try { await channel.CloseAsync(); } catch (Exception) { /* already gone */ }
        channel.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is { } channel)
            await DropAsync(channel);
    }
}

/// <summary>The broker said no to a message: nacked it (a full queue refusing publishes, say), or returned it when
/// it was mandatory and no queue took it.</summary>
public sealed class AmqpPublishRefusedException(OutgoingMessage message, bool returned)
    : Exception($"the broker {(returned ? "returned" : "nacked")} a message to '{message.Exchange}' / '{message.RoutingKey}'")
{
    public OutgoingMessage Refused { get; } = message;
    public bool Returned { get; } = returned;
}
