using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Trove.Amqp;

/// <summary>A consumer of one queue on a channel of its own, buffering at most its prefetch. It ends with an error
/// when the channel closes under it or the broker cancels it, so that whoever reads it starts a new one.</summary>
internal sealed class QueueSubscription : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly Channel<CommittableIncomingMessage> _buffer;
    private readonly CancellationTokenSource _stopping = new();

    private QueueSubscription(IChannel channel, int capacity)
    {
        _channel = channel;
        _buffer = Channel.CreateBounded<CommittableIncomingMessage>(capacity);
    }

    public static async Task<QueueSubscription> StartAsync(AmqpConnector connector, NamedQueueSourceSettings settings,
        bool autoAck = false, CancellationToken ct = default)
    {
        if (settings.Declarations.Count > 0)
            await connector.DeclareAsync(settings.Declarations, ct);
        var channel = await connector.OpenChannelAsync(confirms: false, ct);
        try
        {
            await channel.BasicQosAsync(0, settings.Prefetch, false, ct);
            var subscription = new QueueSubscription(channel, settings.Prefetch);
            channel.ChannelShutdownAsync += subscription.OnShutdownAsync;
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += subscription.OnReceivedAsync;
            consumer.UnregisteredAsync += subscription.OnCancelledAsync;
            await channel.BasicConsumeAsync(settings.Queue, autoAck, consumer, ct);
            return subscription;
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var message = new CommittableIncomingMessage(
            new IncomingMessage(delivery.Body.ToArray(), delivery.Exchange, delivery.RoutingKey, delivery.Redelivered, delivery.BasicProperties),
            _channel, delivery.DeliveryTag);
        AmqpMetrics.Consumed.Add(1);
        try
        {
            await _buffer.Writer.WriteAsync(message, _stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // stopped or failed: the broker requeues the message when the channel closes
        }
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs reason)
    {
        if (_stopping.IsCancellationRequested)
            return Task.CompletedTask;
        AmqpMetrics.Failed("consume", "channel_closed");
        _buffer.Writer.TryComplete(new AmqpChannelClosedException($"the channel consuming closed: {reason.ReplyCode} {reason.ReplyText}"));
        return Task.CompletedTask;
    }

    private Task OnCancelledAsync(object sender, ConsumerEventArgs args)
    {
        if (_stopping.IsCancellationRequested)
            return Task.CompletedTask;
        AmqpMetrics.Failed("consume", "cancelled");
        _buffer.Writer.TryComplete(new AmqpChannelClosedException("the broker cancelled the consumer (its queue was deleted?)"));
        return Task.CompletedTask;
    }

    /// <summary>The next message; null once stopped; throws once the channel closed under it.</summary>
    public async Task<CommittableIncomingMessage?> NextAsync(CancellationToken ct = default)
    {
        try
        {
            return await _buffer.Reader.ReadAsync(ct);
        }
        catch (ChannelClosedException e) when (e.InnerException is { } cause)
        {
            throw cause;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>The messages buffered now, at most <paramref name="max"/> and at least one (waited for), in their delivery
    /// order; null once stopped; throws once the channel closed under it.</summary>
    public async Task<IReadOnlyList<CommittableIncomingMessage>?> NextRunAsync(int max, CancellationToken ct = default)
    {
        if (await NextAsync(ct) is not { } first)
            return null;
        var run = new List<CommittableIncomingMessage>(Math.Min(max, _buffer.Reader.Count + 1)) { first };
        while (run.Count < max && _buffer.Reader.TryRead(out var next))
            run.Add(next);
        return run;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _buffer.Writer.TryComplete();
        try { await _channel.CloseAsync(); } catch (Exception) { /* connection already gone */ }
        _channel.Dispose();
    }
}

/// <summary>A channel or consumer a stage used was closed by the broker or lost with its connection.</summary>
public sealed class AmqpChannelClosedException(string message) : Exception(message);
