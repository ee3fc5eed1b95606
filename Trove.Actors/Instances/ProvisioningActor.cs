using Akka.Actor;
using Akka.Event;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Contracts.Guests;

namespace Trove.Actors.Instances;

/// <summary>
/// Builds one instance's server. First, for a new instance, it queues the guest's <c>prepare</c> (with the
/// passwords, which are never journaled) so that the parent persists the instance only once the guest's work is
/// durable in the broker. Then, when the parent says so, it has the compute driver create the server. A resumed
/// build repeats only the second step, which the driver makes idempotent.
/// </summary>
public sealed class ProvisioningActor : ReceiveActor
{
    public sealed record PrepareQueued;
    public sealed record CreateServer;
    public sealed record ServerReady(Server Server);
    public sealed record StepFailed(string Message);

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ProvisioningActor(ServerSpec spec, PrepareArgs? prepare, ICompute compute, IGuestRpc guests)
    {
        Receive<CreateServer>(_ =>
            CreateServerAsync().PipeTo(Self,
                success: server => new ServerReady(server),
                failure: e => new StepFailed($"Creating the server failed: {e.GetBaseException().Message}")));
        Receive<ServerReady>(ready =>
        {
            Context.Parent.Tell(ready);
            Context.Stop(Self);
        });
        Receive<PrepareQueued>(queued => Context.Parent.Tell(queued));
        Receive<StepFailed>(failed =>
        {
            _log.Warning("instance {0}: {1}", spec.InstanceId, failed.Message);
            Context.Parent.Tell(failed);
            Context.Stop(Self);
        });

        if (prepare is not null)
            guests.CastAsync(spec.InstanceId, RpcMessage.Create(GuestMethods.Prepare, prepare)).PipeTo(Self,
                success: () => new PrepareQueued(),
                failure: e => new StepFailed($"Queueing the guest's prepare failed: {e.GetBaseException().Message}"));

        // The server's guest gets a broker user of its own, made first (again, unchanged, on a resumed build).
        async Task<Server> CreateServerAsync()
        {
            var broker = await guests.GrantBrokerUserAsync(spec.InstanceId);
            return await compute.CreateServerAsync(spec with { Broker = broker }, CancellationToken.None);
        }
    }

    public static Props Props(ServerSpec spec, PrepareArgs? prepare, ICompute compute, IGuestRpc guests) =>
        Akka.Actor.Props.Create(() => new ProvisioningActor(spec, prepare, compute, guests));
}
