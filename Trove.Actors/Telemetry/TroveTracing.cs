using System.Diagnostics;

namespace Trove.Actors.Telemetry;

/// <summary>
/// The control plane's spans: an API request's ask, the entity's handling of it, and the guest calls it makes. Off
/// unless the node exports traces (Trove:Telemetry:OtlpEndpoint): with no listener on <see cref="SourceName"/> no
/// activity is made, no trace context is carried, and a guest is sent no <c>traceparent</c>.
/// </summary>
public static class TroveTracing
{
    public const string SourceName = "Trove.Actors";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span in the trace of <paramref name="traceParent"/>; none without one, or while tracing is off.</summary>
    public static Activity? Continue(string? traceParent, string name, ActivityKind kind) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity(name, kind, parent)
            : null;

    /// <summary>A span under the current one (an ask, a guest call); none while tracing is off or outside a trace.</summary>
    public static Activity? Child(string name, ActivityKind kind) =>
        Activity.Current is null ? null : Source.StartActivity(name, kind);
}
