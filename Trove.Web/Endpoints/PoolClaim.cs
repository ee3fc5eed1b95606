using Akka.Hosting;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.Pool;
using Trove.Web.Compatibility;

namespace Trove.Web.Endpoints;

/// <summary>A new instance's create: through the warm pool when it is on (it gives the create a ready server's id, or
/// passes it on as it is), else straight to the instance; either way one ask, answered by the instance.</summary>
public static class PoolClaim
{
    public static Task<InstanceReply> CreateAsync(this IRequiredActor<InstanceRegion> instances, IRequiredActor<ServerPoolKey> pool,
        InstanceRequest request, TroveSettings settings)
    {
        var create = new InstanceCommands.Create(Guid.NewGuid().ToString(), request);
        if (OlderReleaseProtocol.IfMixed(instances.ActorRef, settings.AskTimeout) is { } older)
            return older.AskAsync(create);
        var viaPool = TakesFromPool(request, settings);
        return (viaPool ? pool.ActorRef : instances.ActorRef)
            .AskAsCallerAsync<InstanceReply>(viaPool ? new PoolCommands.CreateInstance(create) : create, settings.AskTimeout);
    }

    /// <summary>A restore brings its own data, a replica follows its source's: neither starts from a pool's pristine engine.</summary>
    private static bool TakesFromPool(InstanceRequest request, TroveSettings settings) =>
        settings.Pool.IsOn && request is { RestoreBackupId: null, RestoreFrom: null, ReplicaOf: null };
}
