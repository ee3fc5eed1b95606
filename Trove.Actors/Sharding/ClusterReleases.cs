using Akka.Actor;
using Akka.Cluster;
using Trove.Actors.Serialization;

namespace Trove.Actors.Sharding;

/// <summary>Which releases share the cluster. During a rolling upgrade nodes of the release before run beside this one's:
/// what crosses to them must be what they read, and what only this release does waits until every node runs it.</summary>
public static class ClusterReleases
{
    /// <summary>A member runs another release than this node (app versions name a release; they are not ordered).</summary>
    public static bool Mixed(Cluster cluster) =>
        cluster.State.Members.Any(m => m.AppVersion != cluster.SelfMember.AppVersion);

    /// <summary>The message in an <see cref="Asked"/> envelope, or alone when there is nothing to carry or a node of
    /// another release could receive it.</summary>
    public static object Envelope(ActorSystem system, object message, string? user, string? traceParent) =>
        user is null && traceParent is null || Mixed(Cluster.Get(system))
            ? message
            : new Asked(message, user, traceParent);
}
