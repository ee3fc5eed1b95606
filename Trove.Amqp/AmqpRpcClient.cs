using System.Collections.Concurrent;
using System.Globalization;
using Akka;
using Akka.Streams.Dsl;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Trove.Amqp;

/// <summary>Where replies come back: a queue of this process's own, bound under its own name to the reply exchange.
/// A client-chosen name is kept when the consumer restarts, so that a callee holding it still reaches the caller.</summary>
public sealed record AmqpRpcSettings(string ReplyExchange, string ReplyQueue)
{
    public TimeSpan MinRestartDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The reply exchange, the reply queue (gone with this process's connection) and its binding.</summary>
    public IReadOnlyList<IDeclaration> Declarations =>
    [
        new ExchangeDeclaration(ReplyExchange),
        new QueueDeclaration(ReplyQueue) { Durable = false, Exclusive = true, AutoDelete = true },
        new BindingDeclaration(ReplyQueue, ReplyExchange, ReplyQueue),
    ];
}

/// <summary>
/// Calls with a reply (Alpakka's RPC flow): the request carries a correlation id and the reply queue, and expires
/// when the caller stops waiting; the reply is matched back to the waiting caller, only if the expected broker user
/// sent it, or the call fails after its timeout. The reply consumer starts again, with backoff, after any broker
/// error, declaring its queue anew; a call whose reply was lost in between times out.
/// </summary>
public sealed class AmqpRpcClient : IAsyncDisposable
{
    private sealed record Pending(TaskCompletionSource<IncomingMessage> Reply, string? ReplyFrom);

    private readonly AmqpConnector _connector;
    private readonly AmqpPublisher _publisher;
    private readonly AmqpRpcSettings _settings;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, Pending> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _consuming = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _replies = Task.CompletedTask;
    private long _refusedReplies;

    private AmqpRpcClient(AmqpConnector connector, AmqpPublisher publisher, AmqpRpcSettings settings, ILogger log)
    {
        _connector = connector;
        _publisher = publisher;
        _settings = settings;
        _log = log;
    }

    /// <summary>Replies dropped because a user other than the callee sent them.</summary>
    public long RefusedReplies => Interlocked.Read(ref _refusedReplies);

    /// <summary>A client whose reply consumer is running.</summary>
    public static async Task<AmqpRpcClient> CreateAsync(AmqpConnector connector, AmqpPublisher publisher, AmqpRpcSettings settings,
        ILogger? log = null, CancellationToken ct = default)
    {
        var client = new AmqpRpcClient(connector, publisher, settings, log ?? NullLogger.Instance);
        client._replies = Task.Run(client.ConsumeRepliesAsync, CancellationToken.None);
        try
        {
            await client._consuming.Task.WaitAsync(ct);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private async Task ConsumeRepliesAsync()
    {
        var source = new NamedQueueSourceSettings(_settings.ReplyQueue) { Declarations = _settings.Declarations, Prefetch = 256 };
        var delay = _settings.MinRestartDelay;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await using var subscription = await QueueSubscription.StartAsync(_connector, source, autoAck: true, _stopping.Token);
                _consuming.TrySetResult();
                delay = _settings.MinRestartDelay;
                while (await subscription.NextAsync(_stopping.Token) is { } reply)
                    OnReply(reply.Message);
                return;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _log.LogWarning("reply consumer of {Queue} stopped ({Error}); starting again in {Delay} ms",
                    _settings.ReplyQueue, e.GetBaseException().Message, (int)delay.TotalMilliseconds);
            }
            try { await Task.Delay(delay, _stopping.Token); } catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxRestartDelay.Ticks));
        }
    }

    private void OnReply(IncomingMessage reply)
    {
        if (reply.Properties.CorrelationId is not { } id || !_pending.TryGetValue(id, out var call))
            return;
        if (call.ReplyFrom is { } expected && reply.Properties.UserId != expected)
        {
            var refused = Interlocked.Increment(ref _refusedReplies);
            _log.LogWarning("refused a reply to call {Id} sent by broker user '{User}': the call went to '{Callee}' ({Refused} refused so far)",
                id, reply.Properties.UserId ?? "(none)", expected, refused);
            return;
        }
        if (_pending.TryRemove(id, out _))
            call.Reply.TrySetResult(reply);
    }

    /// <summary>Publishes <paramref name="request"/> with a correlation id and this client's reply queue, expiring after
    /// <paramref name="timeout"/>, and waits for its reply. With <paramref name="replyFrom"/>, only a reply whose
    /// <c>user-id</c> is that broker user answers.</summary>
    /// <exception cref="TimeoutException">no reply within <paramref name="timeout"/></exception>
    public async Task<IncomingMessage> CallAsync(OutgoingMessage request, TimeSpan timeout, string? replyFrom = null, CancellationToken ct = default)
    {
        var id = Guid.NewGuid().ToString("N");
        var waiting = new TaskCompletionSource<IncomingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = new Pending(waiting, replyFrom);
        try
        {
            // Expires with the wait: a call nobody waits for any more never runs late. The broker drops it from the queue;
            // the timestamp lets a callee that got it anyway see it expired (IncomingMessage.HasExpired).
            var properties = new BasicProperties(request.Properties)
            {
                CorrelationId = id,
                ReplyTo = _settings.ReplyQueue,
                Expiration = Math.Max(0, (long)Math.Ceiling(timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture),
                Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            };
            await _publisher.PublishAsync(request with { Properties = properties }, ct);
            return await waiting.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no reply on '{request.RoutingKey}' within {timeout.TotalSeconds:0.#} s");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>The client as a flow: each request's reply, in order, or the call's failure.</summary>
    public Flow<(OutgoingMessage Request, string? ReplyFrom), IncomingMessage, NotUsed> AsFlow(TimeSpan timeout, int parallelism = 8) =>
        Flow.Create<(OutgoingMessage Request, string? ReplyFrom)>()
            .SelectAsync(parallelism, call => CallAsync(call.Request, timeout, call.ReplyFrom));

    /// <summary>Sends a reply to a caller's reply queue, through the reply exchange.</summary>
    public static OutgoingMessage Reply(string replyExchange, IncomingMessage call, ReadOnlyMemory<byte> body) =>
        OutgoingMessage.Json(replyExchange, call.Properties.ReplyTo ?? throw new ArgumentException("the message is no call: it has no reply-to"), body) with
        {
            Properties = new BasicProperties { Persistent = false, ContentType = "application/json", CorrelationId = call.Properties.CorrelationId },
        };

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try { await _replies; } catch (Exception) { /* stopped */ }
    }
}
