namespace Trove.Actors.Pool;

/// <summary>The serializer manifests of the pool's stored events and state and of the messages that cross nodes.
/// A manifest, once used, is never changed or reused.</summary>
public static class PoolManifests
{
    public static IReadOnlyDictionary<string, Type> All { get; } = new Dictionary<string, Type>
    {
        ["pool.server-requested.v1"] = typeof(PoolEvents.ServerRequested),
        ["pool.server-ready.v1"] = typeof(PoolEvents.ServerReady),
        ["pool.server-claimed.v1"] = typeof(PoolEvents.ServerClaimed),
        ["pool.claim-settled.v1"] = typeof(PoolEvents.ClaimSettled),
        ["pool.server-removed.v1"] = typeof(PoolEvents.ServerRemoved),
        ["pool.state.v1"] = typeof(PoolState),
        ["pool.create-instance"] = typeof(PoolCommands.CreateInstance),
        ["pool.list"] = typeof(PoolCommands.List),
        ["pool.remove"] = typeof(PoolCommands.Remove),
        ["pool.listed"] = typeof(PoolReplies.Listed),
        ["pool.removed"] = typeof(PoolReplies.Removed),
        ["pool.not-removed"] = typeof(PoolReplies.NotRemoved),
    };
}
