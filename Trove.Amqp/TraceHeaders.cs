using System.Diagnostics;
using System.Text;
using RabbitMQ.Client;

namespace Trove.Amqp;

/// <summary>
/// A trace across the broker: the caller's span as a W3C <c>traceparent</c> message header, sent only when the caller
/// traces (it has a span); the receiver continues it for its handling of the message.
/// </summary>
public static class TraceHeaders
{
    public const string TraceParent = "traceparent";

    /// <summary>The message with <paramref name="span"/>'s context in its headers; as it is without a span.</summary>
    public static OutgoingMessage WithTrace(this OutgoingMessage message, Activity? span)
    {
        if (span is null)
            return message;
        var properties = new BasicProperties(message.Properties);
        properties.Headers = new Dictionary<string, object?>(properties.Headers ?? new Dictionary<string, object?>()) { [TraceParent] = span.Id };
        return message with { Properties = properties };
    }

    /// <summary>The <c>traceparent</c> the sender put in the headers (the broker hands a string header over as bytes).</summary>
    public static string? TraceParentOf(IReadOnlyBasicProperties properties) =>
        properties.Headers?.TryGetValue(TraceParent, out var value) == true
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), string text => text, _ => null }
            : null;

    /// <summary>A span continuing the sender's trace, started whether or not anything listens (its ids are what a
    /// receiver logs); none when the message came without a trace.</summary>
    public static Activity? Continue(IReadOnlyBasicProperties properties, string name) =>
        TraceParentOf(properties) is { } parent && ActivityContext.TryParse(parent, null, out _)
            ? new Activity(name).SetParentId(parent).Start()
            : null;
}
