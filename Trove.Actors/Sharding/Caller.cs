using System.Diagnostics;
using Trove.Actors.Serialization;
using Trove.Actors.Telemetry;

namespace Trove.Actors.Sharding;

/// <summary>
/// Who asked the command an entity is handling, while it handles it: set from an <see cref="Asked"/> envelope, with the
/// request's trace continued (an activity of <see cref="TroveTracing"/>, none while tracing is off) until the handler
/// returns. What the handler starts then (a guest call) runs in that trace; what it finishes later carries the user in
/// its own message.
/// </summary>
public sealed class Caller
{
    /// <summary>The user id of the request being handled; null for what the system does itself.</summary>
    public string? User { get; private set; }

    /// <summary>Handles <paramref name="asked"/>'s message with <paramref name="handle"/> as its caller.</summary>
    public void Handle(Asked asked, string entity, Action<object> handle)
    {
        using var activity = TroveTracing.Continue(asked.TraceParent, $"{entity} {asked.Message.GetType().Name}", ActivityKind.Server);
        User = asked.User;
        try
        {
            handle(asked.Message);
        }
        finally
        {
            User = null;
        }
    }
}
