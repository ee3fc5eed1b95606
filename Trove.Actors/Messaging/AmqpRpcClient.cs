using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Trove.Actors.Messaging;

/// <summary>
/// Calls with a reply: the request carries a correlation id and this process's reply queue; the reply is
/// matched back to the waiting caller, or the call fails after its timeout.
/// </summary>
public sealed class AmqpRpcClient : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly AmqpPublisher _publisher;
    private readonly string _replyQueue;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RpcReply>> _pending = new();

    private AmqpRpcClient(IChannel channel, AmqpPublisher publisher, string replyQueue)
    {
        _channel = channel;
        _publisher = publisher;
        _replyQueue = replyQueue;
    }

    public static async Task<AmqpRpcClient> CreateAsync(AmqpConnector connector, AmqpPublisher publisher, CancellationToken ct = default)
    {
        // A client-named queue keeps its name when the connection recovers.
        var replyQueue = $"reply.{Guid.NewGuid():N}";
        var channel = await connector.OpenChannelAsync(confirms: false, ct);
        await channel.QueueDeclareAsync(replyQueue, durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
        var client = new AmqpRpcClient(channel, publisher, replyQueue);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += client.OnReplyAsync;
        await channel.BasicConsumeAsync(replyQueue, autoAck: true, consumer, ct);
        return client;
    }

    private Task OnReplyAsync(object sender, BasicDeliverEventArgs delivery)
    {
        if (delivery.BasicProperties.CorrelationId is { } id && _pending.TryRemove(id, out var waiting))
            waiting.TrySetResult(RpcReply.Parse(delivery.Body));
        return Task.CompletedTask;
    }

    /// <summary>Calls <paramref name="message"/> on the queue named by <paramref name="routingKey"/>.</summary>
    /// <exception cref="TimeoutException">no reply within <paramref name="timeout"/></exception>
    /// <exception cref="RpcException">the callee replied with a failure</exception>
    public async Task<JsonNode?> CallAsync(string routingKey, RpcMessage message, TimeSpan timeout, CancellationToken ct = default)
    {
        var id = Guid.NewGuid().ToString("N");
        var waiting = new TaskCompletionSource<RpcReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiting;
        try
        {
            await _publisher.PublishAsync(routingKey, message, id, _replyQueue, ct);
            var reply = await waiting.Task.WaitAsync(timeout, ct);
            return reply.Failure is { } failure ? throw new RpcException(failure, reply.FailureKind ?? RpcFailureKinds.Error) : reply.Result;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no reply to '{message.Method}' on {routingKey} within {timeout.TotalSeconds:0.#} s");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await _channel.CloseAsync(); } catch (Exception) { /* connection already gone */ }
        _channel.Dispose();
    }
}
