using Akka.Cluster.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Trove.Actors.Catalog;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;
using Trove.Actors.Tenants;

namespace Trove.Actors.Pool;

/// <summary>Registry key of the warm pool singleton (its proxy on api-only nodes).</summary>
public sealed class ServerPoolKey;

public static class PoolRegistration
{
    /// <summary>The pool singleton on the workers (always there: with size 0 it makes nothing, and still answers the
    /// reconciler and trove-admin); a proxy to it elsewhere.</summary>
    public static AkkaConfigurationBuilder WithServerPool(this AkkaConfigurationBuilder builder, bool onWorker, PoolSettings settings,
        TimeSpan askTimeout, IServiceProvider sp)
    {
        var options = new ClusterSingletonOptions { Role = EntityShards.WorkerRole };
        return onWorker
            ? builder.WithSingleton<ServerPoolKey>("server-pool", (_, registry, _) => ServerPoolActor.Props(sp.GetRequiredService<ICompute>(),
                sp.GetRequiredService<IGuestRpc>(), registry.Get<InstanceRegion>(), registry.Get<TenantRegion>(), ActiveVersions(sp.GetRequiredService<CatalogRepository>()),
                settings, askTimeout), options)
            : builder.WithSingletonProxy<ServerPoolKey>("server-pool", options);
    }

    /// <summary>The catalog's active datastore versions: each has a pool (of its size, maybe 0).</summary>
    private static Func<CancellationToken, Task<IReadOnlyList<PoolKey>>> ActiveVersions(CatalogRepository catalog) => async ct =>
        (await catalog.LoadAsync(ct)).Datastores
            .SelectMany(d => d.Versions.Where(v => v.Active).Select(v => new PoolKey(d.Type, v.Name))).ToList();
}
