using Akka.Actor;
using Akka.Cluster.Sharding;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Contracts.Admin;
using Trove.Actors.Sharding;

namespace Trove.Actors.Admin;

/// <summary><c>sharding regions|region-stats|locate</c>: where the entities of each type live.</summary>
public sealed class ShardingCommands(ActorSystem system) : IAdminCommandSet
{
    private static readonly string[] TypeNames = [InstanceRegistration.TypeName, BackupRegistration.TypeName, TenantRegistration.TypeName];

    // Every type shards by the same stable hash over the same number of shards (see the registrations).
    private static readonly HashCodeMessageExtractor ById = new InstanceMessageExtractor(EntityShards.Count);

    public IEnumerable<AdminCommand> Commands =>
    [
        new("sharding regions", [], "entity types, whether this node hosts them or proxies, and what it holds", (_, _) => Regions()),
        new("sharding region-stats", ["TYPE"], "shards and entities of a type on each node", (a, _) => RegionStats(a[0])),
        new("sharding locate", ["TYPE", "ID"], "the shard and node of an entity, and whether it is running", (a, _) => Locate(a[0], a[1])),
    ];

    private async Task<AdminResponse> Regions()
    {
        var sharding = ClusterSharding.Get(system);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var type in TypeNames)
        {
            if (!sharding.ShardTypeNames.Contains(type))
            {
                rows.Add([type, "proxy", "-", "-"]);
                continue;
            }
            var local = await sharding.ShardRegion(type).Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AdminCommands.AskTimeout);
            rows.Add([type, "region", local.Shards.Count.ToString(), local.Shards.Sum(s => s.EntityIds.Count).ToString()]);
        }
        return AdminResponse.Ok(TextTable.Format(["TYPE", "MODE", "LOCAL SHARDS", "LOCAL ENTITIES"], rows));
    }

    private async Task<AdminResponse> RegionStats(string type)
    {
        if (!TypeNames.Contains(type))
            return UnknownType(type);
        var stats = await ClusterStats(type);
        var rows = stats.Regions.OrderBy(r => r.Key.Port)
            .Select(r => (IReadOnlyList<string>)[r.Key.ToString(), r.Value.Stats.Count.ToString(), r.Value.Stats.Values.Sum().ToString()])
            .ToList();
        rows.Add(["total", stats.Regions.Values.Sum(r => r.Stats.Count).ToString(), stats.Regions.Values.Sum(r => r.Stats.Values.Sum()).ToString()]);
        return AdminResponse.Ok(TextTable.Format(["NODE", "SHARDS", "ENTITIES"], rows));
    }

    private async Task<AdminResponse> Locate(string type, string id)
    {
        if (!TypeNames.Contains(type))
            return UnknownType(type);
        var shard = ById.ShardId(id, null);
        var stats = await ClusterStats(type);
        var host = stats.Regions.Where(r => r.Value.Stats.ContainsKey(shard)).Select(r => r.Key).FirstOrDefault();
        if (host is null)
            return AdminResponse.Failed($"{type} {id}: shard {shard} is not allocated to any node, so the entity is not running\n");
        var region = system.ActorSelection(new RootActorPath(host) / "system" / "sharding" / type);
        var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, AdminCommands.AskTimeout);
        var running = state.Shards.Any(s => s.ShardId == shard && s.EntityIds.Contains(id));
        return AdminResponse.Ok($"{type} {id}: shard {shard} on {host}, {(running ? "running" : "not running (passivated or never started)")}\n");
    }

    private Task<ClusterShardingStats> ClusterStats(string type) =>
        ClusterSharding.Get(system).ShardRegion(type)
            .Ask<ClusterShardingStats>(new GetClusterShardingStats(AdminCommands.AskTimeout), AdminCommands.AskTimeout + TimeSpan.FromSeconds(1));

    private static AdminResponse UnknownType(string type) =>
        AdminResponse.Usage($"unknown entity type '{type}'; types: {string.Join(", ", TypeNames)}");
}
