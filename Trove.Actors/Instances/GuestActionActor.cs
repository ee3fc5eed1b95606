using Akka.Actor;
using Trove.Actors.Guests;
using Trove.Contracts.Guests;

namespace Trove.Actors.Instances;

/// <summary>
/// One long action on the guest (restart, resize, detach), run as a child of the instance entity: it does the server's part
/// of it first, if any (a cloud's resize or reboot), then makes the call, then what follows it, if any (a detached
/// replica's source dropping its slot), tells its parent how it ended, and stops. The entity persisted the action's start, so a node that dies meanwhile
/// starts the child again when the entity recovers.
/// </summary>
public sealed class GuestActionActor : ReceiveActor
{
    /// <summary>How the action ended: <paramref name="Failure"/> is null when the guest did it.</summary>
    public sealed record Ended(string Action, string? Failure);

    public GuestActionActor(string instanceId, RpcMessage call, TimeSpan timeout, IGuestRpc guests, Func<CancellationToken, Task>? serverStep,
        Func<Task>? afterCall = null)
    {
        Receive<Ended>(ended =>
        {
            Context.Parent.Tell(ended);
            Context.Stop(Self);
        });
        RunAsync().PipeTo(Self,
            success: () => new Ended(call.Method, null),
            failure: e => new Ended(call.Method, e.GetBaseException().Message));

        async Task RunAsync()
        {
            if (serverStep is not null)
            {
                using var cts = new CancellationTokenSource(timeout);
                await serverStep(cts.Token);
            }
            await guests.CallAsync(instanceId, call, timeout);
            if (afterCall is not null)
                await afterCall();
        }
    }

    public static Props Props(string instanceId, RpcMessage call, TimeSpan timeout, IGuestRpc guests, Func<CancellationToken, Task>? serverStep = null,
        Func<Task>? afterCall = null) =>
        Akka.Actor.Props.Create(() => new GuestActionActor(instanceId, call, timeout, guests, serverStep, afterCall));
}
