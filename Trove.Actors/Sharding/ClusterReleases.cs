using Akka.Cluster;

namespace Trove.Actors.Sharding;

/// <summary>Which releases share the cluster. During a rolling upgrade nodes of the release before run beside this one's:
/// what crosses to them must be what they read, and what only this release does waits until every node runs it.</summary>
public static class ClusterReleases
{
    /// <summary>A member runs another release than this node (app versions name a release; they are not ordered).</summary>
    public static bool Mixed(Cluster cluster) =>
        cluster.State.Members.Any(m => m.AppVersion != cluster.SelfMember.AppVersion);
}
