using Akka;
using Akka.Streams.Dsl;
using RabbitMQ.Client;

namespace Trove.Actors.Messaging;

/// <summary>Publishes with publisher confirms: a completed publish is in the broker, persistent.</summary>
public sealed class AmqpPublisher : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly string _exchange;

    private AmqpPublisher(IChannel channel, string exchange)
    {
        _channel = channel;
        _exchange = exchange;
    }

    public static async Task<AmqpPublisher> CreateAsync(AmqpConnector connector, CancellationToken ct = default) =>
        new(await connector.OpenChannelAsync(confirms: true, ct), connector.Settings.Exchange);

    /// <summary>Publishes to the topic exchange; the routing key is the destination queue's name.</summary>
    public Task PublishAsync(string routingKey, RpcMessage message, string? correlationId = null, string? replyTo = null, CancellationToken ct = default) =>
        PublishAsync(_exchange, routingKey, message.ToBytes(), correlationId, replyTo, ct);

    /// <summary>Sends a call's reply straight to the caller's reply queue.</summary>
    public Task ReplyAsync(string replyTo, string correlationId, RpcReply reply, CancellationToken ct = default) =>
        PublishAsync("", replyTo, reply.ToBytes(), correlationId, null, ct);

    private async Task PublishAsync(string exchange, string routingKey, byte[] body, string? correlationId, string? replyTo, CancellationToken ct)
    {
        var properties = new BasicProperties
        {
            Persistent = true,
            ContentType = "application/json",
            CorrelationId = correlationId,
            ReplyTo = replyTo,
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
