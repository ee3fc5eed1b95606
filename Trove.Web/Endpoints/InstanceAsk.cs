using Trove.Actors.Sharding;
using Akka.Actor;
using Akka.Hosting;
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
            : instances.ActorRef.AskEntityAsync<InstanceReply>(command, settings.AskTimeout);

    /// <summary>The instance's state for this tenant, or the <see cref="RequestError"/> that answers the request.</summary>
    public static async Task<InstanceState> StateAsync(this IRequiredActor<InstanceRegion> instances, string tenantId, string id, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.Get(id, tenantId), settings) is InstanceReplies.Found found
            ? found.State
            : throw new RequestError(404, $"Instance {id} cannot be found.");

    /// <summary>Asks a guest operation and answers 202, or the error.</summary>
    public static async Task<IResult> AcceptedAsync(this IRequiredActor<InstanceRegion> instances, IWithInstanceId command, TroveSettings settings) =>
        await instances.AskAsync(command, settings) switch
        {
            InstanceReplies.GuestDone or InstanceReplies.GuestResult or InstanceReplies.Accepted => Results.StatusCode(StatusCodes.Status202Accepted),
            var reply => ErrorOf(reply),
        };

    public static IResult ErrorOf(InstanceReply reply) => reply switch
    {
        InstanceReplies.QuotaExceeded exceeded => TroveError.Of(StatusCodes.Status413PayloadTooLarge, exceeded.Message),
        InstanceReplies.NotFound nf => TroveError.NotFound($"Instance {nf.InstanceId} cannot be found."),
        InstanceReplies.BackupNotFound nf => TroveError.NotFound($"Backup {nf.BackupId} cannot be found."),
        InstanceReplies.ConfigurationNotFound nf => TroveError.NotFound($"Configuration group {nf.ConfigurationId} cannot be found."),
        InstanceReplies.Refused refused => TroveError.Unprocessable(refused.Message),
        InstanceReplies.Invalid invalid => TroveError.BadRequest(invalid.Message),
        InstanceReplies.Conflict conflict => TroveError.Of(StatusCodes.Status409Conflict, conflict.Message),
        InstanceReplies.Failed failed => TroveError.Internal(failed.Message),
        InstanceReplies.GuestFailed { Kind: RpcFailureKinds.NotFound } f => TroveError.NotFound(f.Message),
        InstanceReplies.GuestFailed { Kind: RpcFailureKinds.Invalid } f => TroveError.BadRequest(f.Message),
        InstanceReplies.GuestFailed f => TroveError.Internal($"The guest failed: {f.Message}"),
        _ => TroveError.Internal($"Unexpected reply {reply.GetType().Name}."),
    };
}
