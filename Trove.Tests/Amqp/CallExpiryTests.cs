using RabbitMQ.Client;
using Trove.Amqp;

namespace Trove.Tests.Amqp;

/// <summary>A call's expiration as its receiver reads it (the broker drops an expired call only while it is queued).</summary>
public sealed class CallExpiryTests
{
    private static readonly DateTimeOffset Sent = DateTimeOffset.Parse("2026-12-05T08:00:00Z");

    private static IncomingMessage Call(string? expiration, bool stamped = true) => new([], "trove", "guestagent.x", false,
        new BasicProperties { Expiration = expiration, Timestamp = stamped ? new AmqpTimestamp(Sent.ToUnixTimeSeconds()) : default });

    [Fact]
    public void A_call_past_its_expiration_has_expired_one_within_it_has_not()
    {
        Assert.True(Call("10000").HasExpired(Sent.AddSeconds(12)));
        Assert.False(Call("10000").HasExpired(Sent.AddSeconds(10.5))); // the timestamp's whole second is allowed for
    }

    [Fact]
    public void A_message_without_a_timestamp_or_an_expiration_never_expires()
    {
        Assert.False(Call(null).HasExpired(Sent.AddDays(1)));
        Assert.False(Call("10000", stamped: false).HasExpired(Sent.AddDays(1)));
    }
}
