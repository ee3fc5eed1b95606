using Akka.Actor;
using Akka.Cluster;
using Trove.Actors.Serialization;

namespace Trove.Actors.Sharding;

/// <summary>
/// A command as a request sent it: who asked (the caller's user id, which the entity writes into the events the command
/// causes) and the request's trace (W3C <c>traceparent</c>, only while tracing is on). The shards route it by its
/// <see cref="Message"/>; the entity handles the message as if it came alone (see <see cref="Caller"/>). A node of the
/// release before reads no envelope: <see cref="Of"/> sends the message alone while one is in the cluster.
/// </summary>
public sealed record Asked(object Message, string? User, string? TraceParent) : ITroveMessage
{
    /// <summary>The message in its envelope, or alone when there is nothing to carry or another release could receive it.</summary>
    public static object Of(ActorSystem system, object message, string? user, string? traceParent) =>
        user is null && traceParent is null || ClusterReleases.Mixed(Cluster.Get(system))
            ? message
            : new Asked(message, user, traceParent);

    /// <summary>The message a shard routes: the envelope's, or the message itself.</summary>
    public static object Unwrap(object message) => message is Asked asked ? asked.Message : message;
}
