using System.Globalization;
using RabbitMQ.Client;

namespace Trove.Amqp;

/// <summary>A delivered message. <see cref="IReadOnlyBasicProperties.UserId"/> is the publisher's broker user when it said
/// so: RabbitMQ refuses a <c>user-id</c> other than the publisher's own login.</summary>
public sealed record IncomingMessage(byte[] Body, string Exchange, string RoutingKey, bool Redelivered, IReadOnlyBasicProperties Properties)
{
    /// <summary>
    /// Whether the message's expiration, counted from its timestamp, passed before <paramref name="now"/>. The broker
    /// drops an expired message only while it is in a queue: one already handed to a consumer (in its socket's buffer
    /// while the process was paused, say) arrives anyway, and only its receiver can tell that nobody waits for it any
    /// more. The timestamp has whole seconds, so a second is added; the clocks of sender and receiver must agree
    /// within the expiration.
    /// </summary>
    public bool HasExpired(DateTimeOffset now) =>
        Properties.IsTimestampPresent() && Properties.IsExpirationPresent()
        && long.TryParse(Properties.Expiration, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
        && now > DateTimeOffset.FromUnixTimeSeconds(Properties.Timestamp.UnixTime).AddMilliseconds(milliseconds).AddSeconds(1);
}

/// <summary>A message to publish. Persistent by default: with confirms, a published one survives a broker restart.</summary>
public sealed record OutgoingMessage(string Exchange, string RoutingKey, ReadOnlyMemory<byte> Body)
{
    public BasicProperties Properties { get; init; } = new() { Persistent = true };

    /// <summary>Returned by the broker, and its publish failed, when no queue takes it.</summary>
    public bool Mandatory { get; init; }

    /// <summary>A persistent JSON message.</summary>
    public static OutgoingMessage Json(string exchange, string routingKey, ReadOnlyMemory<byte> body) =>
        new(exchange, routingKey, body) { Properties = new BasicProperties { Persistent = true, ContentType = "application/json" } };
}

/// <summary>
/// A delivered message that stays unacknowledged (and is redelivered if this process or its channel dies) until
/// whoever handled it acks or nacks it. Neither ever throws: on a channel that has died they return false, and the
/// broker delivers the message again to the next consumer (so consumers must be idempotent).
/// </summary>
public sealed class CommittableIncomingMessage
{
    private readonly IChannel _channel;
    private readonly ulong _deliveryTag;

    internal CommittableIncomingMessage(IncomingMessage message, IChannel channel, ulong deliveryTag)
    {
        Message = message;
        _channel = channel;
        _deliveryTag = deliveryTag;
    }

    public IncomingMessage Message { get; }

    /// <summary>True when the broker took the ack; false when the channel was gone (the message comes again).</summary>
    public Task<bool> AckAsync() => SettleAsync(c => c.BasicAckAsync(_deliveryTag, multiple: false));

    /// <summary>Acks this message and every earlier one of its channel not settled yet (AMQP's <c>multiple</c>): one ack
    /// for a run of messages handled in their delivery order. True when the broker took it.</summary>
    public Task<bool> AckThroughAsync() => SettleAsync(c => c.BasicAckAsync(_deliveryTag, multiple: true));

    /// <summary>Gives the message back: to the queue again with <paramref name="requeue"/>, else dropped (or
    /// dead-lettered, when its queue has a dead-letter exchange).</summary>
    public Task<bool> NackAsync(bool requeue) => SettleAsync(c => c.BasicNackAsync(_deliveryTag, multiple: false, requeue));

    private async Task<bool> SettleAsync(Func<IChannel, ValueTask> settle)
    {
        if (!_channel.IsOpen)
            return false;
        try
        {
            await settle(_channel);
            return true;
        }
        catch (Exception)
        {
            // The channel died between the check and the call (AlreadyClosed, OperationInterrupted, IO, disposed):
            // the broker requeues what this channel had not settled.
            return false;
        }
    }
}
