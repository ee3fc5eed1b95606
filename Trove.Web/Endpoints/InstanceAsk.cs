using Trove.Actors.Sharding;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Web.Compatibility;
using Trove.Web.Errors;
using Trove.Web.Validation;
using Trove.Contracts.Guests;

namespace Trove.Web.Endpoints;

/// <summary>Asking an instance entity from an endpoint, and turning its replies into Trove's answers.</summary>
public static class InstanceAsk
{
    /// <summary>One ask; while a node of the release before is in the cluster, in the messages it reads.</summary>
    public static Task<InstanceReply> AskAsync(this IRequiredActor<InstanceRegion> instances, IWithInstanceId command, TroveSettings settings) =>
        OlderReleaseProtocol.IfMixed(instances.ActorRef, settings.AskTimeout) is { } older
            ? older.AskAsync(command)
            : instances.ActorRef.AskAsCallerAsync<InstanceReply>(command, settings.AskTimeout);

    /// <summary>The instance's state for this tenant, or the <see cref="RequestError"/> that answers the request.</summary>
    public static async Task<InstanceState> StateAsync(this IRequiredActor<InstanceRegion> instances, string tenantId, string id, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.Get(id, tenantId), settings) is InstanceReplies.Found found
            ? found.State
            : throw new RequestError(404, $"Instance {id} cannot be found.");

    /// <summary>Asks a guest operation and answers 202, or the error.</summary>
    public static async Task<Results<Accepted, TroveErrorResult>> AcceptedAsync(this IRequiredActor<InstanceRegion> instances,
        IWithInstanceId command, TroveSettings settings) =>
        await instances.AskAsync(command, settings) switch
        {
            InstanceReplies.GuestDone or InstanceReplies.GuestResult or InstanceReplies.Accepted => TypedResults.Accepted((string?)null),
            var reply => ErrorOf(reply),
        };

    public static TroveErrorResult ErrorOf(InstanceReply reply) => reply switch
    {
        InstanceReplies.QuotaExceeded exceeded => TroveError.Result(413, exceeded.Message),
        InstanceReplies.NotFound nf => TroveError.Result(404, $"Instance {nf.InstanceId} cannot be found."),
        InstanceReplies.BackupNotFound nf => TroveError.Result(404, $"Backup {nf.BackupId} cannot be found."),
        InstanceReplies.ConfigurationNotFound nf => TroveError.Result(404, $"Configuration group {nf.ConfigurationId} cannot be found."),
        InstanceReplies.Refused refused => TroveError.Result(422, refused.Message),
        InstanceReplies.Forbidden forbidden => TroveError.Result(403, forbidden.Message),
        InstanceReplies.Invalid invalid => TroveError.Result(400, invalid.Message),
        InstanceReplies.Conflict conflict => TroveError.Result(409, conflict.Message),
        InstanceReplies.Failed failed => TroveError.Result(500, failed.Message),
        InstanceReplies.GuestFailed { Kind: RpcFailureKinds.NotFound } f => TroveError.Result(404, f.Message),
        InstanceReplies.GuestFailed { Kind: RpcFailureKinds.Invalid } f => TroveError.Result(400, f.Message),
        InstanceReplies.GuestFailed f => TroveError.Result(500, $"The guest failed: {f.Message}"),
        _ => TroveError.Result(500, $"Unexpected reply {reply.GetType().Name}."),
    };
}
