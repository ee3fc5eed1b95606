using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Trove.Contracts.Guests;

namespace Trove.Amqp;

/// <summary>
/// Calls with a reply: the request carries a correlation id and this process's reply queue, and expires when the
/// caller stops waiting; the reply is matched back to the waiting caller if the callee's broker user sent it, or the
/// call fails after its timeout.
/// </summary>
public sealed class AmqpRpcClient : IAsyncDisposable
{
    private sealed record Pending(TaskCompletionSource<RpcReply> Reply, string Callee);

    private readonly IChannel _channel;
    private readonly AmqpPublisher _publisher;
    private readonly string _replyQueue;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, Pending> _pending = new();
    private long _refusedReplies;

    private AmqpRpcClient(IChannel channel, AmqpPublisher publisher, string replyQueue, ILogger log)
    {
        _channel = channel;
        _publisher = publisher;
        _replyQueue = replyQueue;
        _log = log;
    }

    /// <summary>Replies dropped because a user other than the callee sent them.</summary>
    public long RefusedReplies => Interlocked.Read(ref _refusedReplies);

    public static async Task<AmqpRpcClient> CreateAsync(AmqpConnector connector, AmqpPublisher publisher, ILogger? log = null, CancellationToken ct = default)
    {
        // A client-named queue keeps its name when the connection recovers.
        var replyQueue = $"reply.{Guid.NewGuid():N}";
        var channel = await connector.OpenChannelAsync(confirms: false, ct);
        await channel.QueueDeclareAsync(replyQueue, durable: false, exclusive: true, autoDelete: true, cancellationToken: ct);
        await channel.QueueBindAsync(replyQueue, connector.Settings.ReplyExchange, replyQueue, cancellationToken: ct);
        var client = new AmqpRpcClient(channel, publisher, replyQueue, log ?? NullLogger.Instance);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += client.OnReplyAsync;
        await channel.BasicConsumeAsync(replyQueue, autoAck: true, consumer, ct);
        return client;
    }

    private Task OnReplyAsync(object sender, BasicDeliverEventArgs delivery)
    {
        if (delivery.BasicProperties.CorrelationId is not { } id || !_pending.TryGetValue(id, out var call))
            return Task.CompletedTask;
        if (delivery.BasicProperties.UserId != call.Callee)
        {
            var refused = Interlocked.Increment(ref _refusedReplies);
            _log.LogWarning("refused a reply to call {Id} sent by broker user '{User}': the call went to '{Callee}' ({Refused} refused so far)",
                id, delivery.BasicProperties.UserId ?? "(none)", call.Callee, refused);
            return Task.CompletedTask;
        }
        if (_pending.TryRemove(id, out _))
            call.Reply.TrySetResult(RpcReply.Parse(delivery.Body));
        return Task.CompletedTask;
    }

    /// <summary>Calls <paramref name="message"/> on the queue named by <paramref name="routingKey"/>, whose consumer
    /// publishes as broker user <paramref name="callee"/>.</summary>
    /// <exception cref="TimeoutException">no reply within <paramref name="timeout"/></exception>
    /// <exception cref="RpcException">the callee replied with a failure</exception>
    public async Task<JsonNode?> CallAsync(string routingKey, string callee, RpcMessage message, TimeSpan timeout, CancellationToken ct = default)
    {
        var id = Guid.NewGuid().ToString("N");
        var waiting = new TaskCompletionSource<RpcReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = new Pending(waiting, callee);
        try
        {
            // Expires with the wait: a call nobody waits for any more (a password change, say) never runs late.
            await _publisher.PublishAsync(routingKey, message, id, _replyQueue, expiresAfter: timeout, ct: ct);
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
