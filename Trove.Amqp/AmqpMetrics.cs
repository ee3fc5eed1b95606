using System.Diagnostics.Metrics;

namespace Trove.Amqp;

/// <summary>The connector's meter: messages published (confirmed) and consumed, and what failed.</summary>
public static class AmqpMetrics
{
    public const string MeterName = "Trove.Amqp";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Confirmed by the broker, by exchange.</summary>
    public static readonly Counter<long> Published = Meter.CreateCounter<long>("trove.amqp.messages.published", "{message}", "messages published and confirmed");

    /// <summary>Delivered to a consumer of this process.</summary>
    public static readonly Counter<long> Consumed = Meter.CreateCounter<long>("trove.amqp.messages.consumed", "{message}", "messages delivered to this process");

    /// <summary>By <c>operation</c> (publish, consume) and <c>reason</c> (refused, timeout, connection, channel_closed, cancelled).</summary>
    public static readonly Counter<long> Failures = Meter.CreateCounter<long>("trove.amqp.failures", "{failure}", "publishes and consumers that failed");

    internal static void Failed(string operation, string reason) =>
        Failures.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("reason", reason));
}
