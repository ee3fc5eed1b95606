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
/// build repeats only the second step, which the driver makes idempotent; so is a creation that failed for a reason
/// that may pass (<see cref="ComputeFailures.IsTransient"/>), a few times with a growing wait, before the build fails.
/// An instance deleted meanwhile abandons the build (<see cref="Abandon"/>): a creation in flight is cancelled and seen to its
/// end, so that whatever the cloud made has been reported to the instance before this actor stops.
/// </summary>
public sealed class ProvisioningActor : ReceiveActor, IWithTimers
{
    public sealed record PrepareQueued;
    public sealed record CreateServer;
    public sealed record ServerReady(Server Server);
    public sealed record StepFailed(string Message);
    private sealed record CreateFailed(Exception Error);
    private sealed record MadeAheadRemoved;

    /// <summary>The instance is being deleted: nothing more is made; the actor stops once a creation in flight has ended.</summary>
    public sealed record Abandon;

    /// <summary>How often a transient failure of the server's creation is tried again, and the first wait (then doubled).</summary>
    public sealed record Retry(int Times, TimeSpan Backoff)
    {
        public static readonly Retry None = new(0, TimeSpan.Zero);
    }

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _abandoned = new();
    private bool _creating, _creationTried;
    private Task<GuestCredentials>? _grantedAhead;
    private Task<string?>? _madeAhead;
    private int _failures;

    public ITimerScheduler Timers { get; set; } = null!;

    public ProvisioningActor(ServerSpec spec, PrepareArgs? prepare, ICompute compute, IGuestRpc guests, Retry retry, Server? pooled = null)
    {
        var steps = new StepsToParent(Context.Parent);
        Receive<CreateServer>(_ =>
        {
            if (_abandoned.IsCancellationRequested)
                return;
            _creating = _creationTried = true;
            (pooled is null ? CreateServerAsync(_abandoned.Token) : Task.FromResult(pooled)).PipeTo(Self,
                success: server => new ServerReady(server), failure: e => new CreateFailed(e));
        });
        Receive<Abandon>(_ =>
        {
            _abandoned.Cancel();
            Timers.CancelAll();
            if (!_creating)
                StopRemovingWhatWasMadeAhead();
        });
        Receive<CreateFailed>(failed =>
        {
            _creating = false;
            if (_abandoned.IsCancellationRequested)
            {
                StopRemovingWhatWasMadeAhead(); // the cancelled creation may have ended before the server was accepted
                return;
            }
            var error = failed.Error.GetBaseException().Message;
            if (!ComputeFailures.IsTransient(failed.Error))
            {
                Self.Tell(new StepFailed($"Creating the server failed: {error}"));
                return;
            }
            if (++_failures > retry.Times)
            {
                Self.Tell(new StepFailed($"Creating the server failed {_failures} times; the last time: {error}"));
                return;
            }
            var wait = retry.Backoff * Math.Pow(2, _failures - 1);
            _log.Warning("instance {0}: creating the server failed ({1}); trying again in {2}", spec.InstanceId, error, wait);
            Timers.StartSingleTimer(nameof(CreateServer), new CreateServer(), wait);
        });
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
            if (_creationTried)
                Context.Stop(Self); // what a failed creation made, the instance knows of, and its deletion removes
            else
                StopRemovingWhatWasMadeAhead();
        });
        Receive<MadeAheadRemoved>(_ => Context.Stop(Self));

        if (prepare is not null)
            guests.CastAsync(spec.InstanceId, RpcMessage.Create(GuestMethods.Prepare, prepare)).PipeTo(Self,
                success: () => new PrepareQueued(),
                failure: e => new StepFailed($"Queueing the guest's prepare failed: {e.GetBaseException().Message}"));

        // The server's guest gets a broker user of its own (again, unchanged, on a resumed build), made while the prepare
        // is queued and the instance journaled rather than after: four calls to the broker's management API, ~20 ms of a
        // create. One the instance never keeps (its node died first) is a user without an instance: the reconciler's.
        _grantedAhead = pooled is null ? guests.GrantBrokerUserAsync(spec.InstanceId) : null;
        // So is what the driver makes ahead (a local server's user); the creation makes it again if this failed.
        // Not cancelled: a useradd killed half-way could leave the password file locked.
        _madeAhead = pooled is null && prepare is not null ? compute.PrepareAheadAsync(spec, CancellationToken.None) : null;

        // A build deleted before its server was accepted (its creation not run, or cancelled early), or whose prepare was
        // never queued, removes what was made ahead for it: neither the instance's deletion, which knows of no server, nor
        // the reconciler, for which the instance owns that id, would. Removing an accepted server again does nothing.
        void StopRemovingWhatWasMadeAhead()
        {
            if (_madeAhead is not { } ahead)
            {
                Context.Stop(Self);
                return;
            }
            RemoveAsync(ahead).PipeTo(Self, success: () => new MadeAheadRemoved(), failure: e =>
            {
                _log.Warning("instance {0}: what was made ahead for its server was not removed ({1})", spec.InstanceId, e.GetBaseException().Message);
                return new MadeAheadRemoved();
            });

            async Task RemoveAsync(Task<string?> made)
            {
                if (await made is { } serverId)
                    await compute.DeleteServerAsync(serverId, CancellationToken.None);
            }
        }

        async Task<Server> CreateServerAsync(CancellationToken ct)
        {
            var grant = _grantedAhead ?? guests.GrantBrokerUserAsync(spec.InstanceId);
            _grantedAhead = null; // a creation tried again grants again, as one that failed may have failed there
            if (_madeAhead is { } ahead)
            {
                try
                {
                    await ahead;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.Warning("instance {0}: what the server's creation makes ahead failed ({1}); it is made now", spec.InstanceId, e.Message);
                }
            }
            var broker = await grant;
            return await compute.CreateServerAsync(spec with { Broker = broker }, steps, ct);
        }
    }

    protected override void PostStop() => _abandoned.Dispose();

    /// <summary>Each step straight to the instance, which journals it even if this attempt dies before the server is ready.</summary>
    private sealed class StepsToParent(IActorRef parent) : IProgress<ServerStep>
    {
        public void Report(ServerStep step) => parent.Tell(step);
    }

    /// <summary><paramref name="pooled"/>: a pool's server the create claimed, running already; none is made.</summary>
    public static Props Props(ServerSpec spec, PrepareArgs? prepare, ICompute compute, IGuestRpc guests, Retry? retry = null, Server? pooled = null) =>
        Akka.Actor.Props.Create(() => new ProvisioningActor(spec, prepare, compute, guests, retry ?? Retry.None, pooled));
}
