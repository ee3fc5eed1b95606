using System.Globalization;
using Akka;
using Akka.Streams.Dsl;
using RabbitMQ.Client;
using Trove.Contracts.Guests;

namespace Trove.Amqp;

/// <summary>Publishes with publisher confirms: a completed publish is in the broker, persistent. Every message carries
/// this process's broker user as its <c>user-id</c>, which the broker checks and the receiver trusts.</summary>
public sealed class AmqpPublisher : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly AmqpSettings _settings;
    private readonly string _userId;

    private AmqpPublisher(IChannel channel, AmqpSettings settings)
    {
        _channel = channel;
        _settings = settings;
        _userId = settings.UserName;
    }

    public static async Task<AmqpPublisher> CreateAsync(AmqpConnector connector, CancellationToken ct = default) =>
        new(await connector.OpenChannelAsync(confirms: true, ct), connector.Settings);

    /// <summary>Publishes to the topic exchange; the routing key is the destination queue's name. A message given
    /// <paramref name="expiresAfter"/> is dropped by the broker if no consumer took it by then.</summary>
    public Task PublishAsync(string routingKey, RpcMessage message, string? correlationId = null, string? replyTo = null,
        TimeSpan? expiresAfter = null, CancellationToken ct = default) =>
        PublishAsync(_settings.Exchange, routingKey, message.ToBytes(), correlationId, replyTo, expiresAfter, ct);

    /// <summary>Sends a call's reply to the caller's reply queue, through the reply exchange.</summary>
    public Task ReplyAsync(string replyTo, string correlationId, RpcReply reply, CancellationToken ct = default) =>
        PublishAsync(_settings.ReplyExchange, replyTo, reply.ToBytes(), correlationId, null, null, ct);

    private async Task PublishAsync(string exchange, string routingKey, byte[] body, string? correlationId, string? replyTo,
        TimeSpan? expiresAfter, CancellationToken ct)
    {
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            CorrelationId = correlationId,
            ReplyTo = replyTo,
            UserId = _userId,
            Expiration = expiresAfter is { } ttl ? Math.Max(0, (long)Math.Ceiling(ttl.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) : null,
        };
        await _channel.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body, ct);
    }

    /// <summary>An Akka Streams sink: each element is published (confirmed) before it counts as done.</summary>
    public Sink<(string RoutingKey, RpcMessage Message), Task<Done>> AsSink(int parallelism = 8) =>
        Flow.Create<(string RoutingKey, RpcMessage Message)>()
            .SelectAsync(parallelism, async m => { await PublishAsync(m.RoutingKey, m.Message); return Done.Instance; })
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Right);

    public async ValueTask DisposeAsync()
    {
        try { await _channel.CloseAsync(); } catch (Exception) { /* connection already gone */ }
        _channel.Dispose();
    }
}
