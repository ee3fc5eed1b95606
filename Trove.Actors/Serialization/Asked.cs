namespace Trove.Actors.Serialization;

/// <summary>
/// A command as a request sent it: who asked (the caller's user id, which the entity writes into the events the command
/// causes) and the request's trace (W3C <c>traceparent</c>, only while tracing is on). The shards route it by its
/// <see cref="Message"/>; the entity handles the message as if it came alone (see <see cref="Sharding.Caller"/>). Sent
/// between nodes with the message under its own manifest (<see cref="TroveSerializer"/>); never journaled. A node of the
/// release before reads no envelope: <see cref="Sharding.ClusterReleases.Envelope"/> sends the message alone while one
/// is in the cluster.
/// </summary>
public sealed record Asked(object Message, string? User, string? TraceParent) : ITroveMessage
{
    /// <summary>The message a shard routes: the envelope's, or the message itself.</summary>
    public static object Unwrap(object message) => message is Asked asked ? asked.Message : message;
}
