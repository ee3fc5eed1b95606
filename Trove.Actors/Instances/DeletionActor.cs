using Trove.Actors.Sharding;
using Akka.Actor;
using Akka.Event;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;

namespace Trove.Actors.Instances;

/// <summary>
/// Removes one instance's server: asks the guest to stop its engine (a guest that does not answer does not block
/// the delete), deletes the server, then (a replica) has its source drop its slot, then the guest's queue and broker user, then gives the tenant its quota back.
/// Tells its parent when all is done.
/// </summary>
public sealed class DeletionActor : ReceiveActor
{
    public sealed record Done;
    public sealed record StepFailed(string Message);
    /// <summary>A replica's source (through the instance region), which drops the replica's slot once its server is gone.</summary>
    public sealed record Source(string SourceId, IActorRef Instances);

    public DeletionActor(string instanceId, string tenantId, string? serverId, ICompute compute, IGuestRpc guests, IActorRef tenants, TimeSpan stopDbTimeout,
        Source? source = null)
    {
        var log = Context.GetLogger();
        Receive<Done>(done =>
        {
            Context.Parent.Tell(done);
            Context.Stop(Self);
        });
        Receive<StepFailed>(failed =>
        {
            Context.Parent.Tell(failed);
            Context.Stop(Self);
        });

        RunAsync().PipeTo(Self, success: () => new Done(), failure: e => new StepFailed(e.GetBaseException().Message));

        async Task RunAsync()
        {
            if (serverId is not null)
            {
                if (await compute.GetServerAsync(serverId, CancellationToken.None) is { Status: ServerStatus.Active })
                {
                    try
                    {
                        await guests.CallAsync(instanceId, RpcMessage.Create(GuestMethods.StopDb, new { }), stopDbTimeout);
                    }
                    catch (Exception e) when (e is TimeoutException or RpcException)
                    {
                        log.Warning("instance {0}: the guest did not stop its engine ({1}); deleting the server anyway", instanceId, e.Message);
                    }
                }
                await compute.DeleteServerAsync(serverId, CancellationToken.None);
            }
            if (source is not null)
                await source.Instances.AskEntityAsync<InstanceReply>(new InstanceCommands.DropReplica(source.SourceId, instanceId), TimeSpan.FromSeconds(30));
            await guests.DeleteQueueAsync(instanceId);
            await guests.DeleteBrokerUserAsync(instanceId);
            // Released before the instance counts as deleted: a crash in between repeats the (idempotent) release.
            await tenants.AskEntityAsync<TenantReplies.Released>(new TenantCommands.ReleaseInstance(tenantId, instanceId), TimeSpan.FromSeconds(30));
        }
    }

    public static Props Props(string instanceId, string tenantId, string? serverId, ICompute compute, IGuestRpc guests, IActorRef tenants, TimeSpan stopDbTimeout,
        Source? source = null) =>
        Akka.Actor.Props.Create(() => new DeletionActor(instanceId, tenantId, serverId, compute, guests, tenants, stopDbTimeout, source));
}
