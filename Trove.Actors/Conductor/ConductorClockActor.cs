using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Trove.Actors.Guests;
using Trove.Actors.Serialization;

namespace Trove.Actors.Conductor;

/// <summary>How far behind a conductor is, as it measured (<see cref="ConductorLag"/>); said every second.</summary>
public sealed record ConductorLagReported(string Conductor, TimeSpan Lag) : ITroveMessage;

public static class ConductorManifests
{
    public static IReadOnlyDictionary<string, Type> All { get; } = new Dictionary<string, Type>
    {
        ["conductor.lag-reported.v1"] = typeof(ConductorLagReported),
    };
}

/// <summary>
/// Keeps this node's <see cref="ConductorClock"/>: takes the lags of every conductor in the cluster from a topic, and
/// puts its own node's conductor's there. On every node, since a conductor's reports reach entities on any node.
/// </summary>
public sealed class ConductorClockActor : ReceiveActor
{
    public const string Topic = "conductor-lag";

    /// <summary>What this node's conductor measured; it never leaves the node.</summary>
    public sealed record Measured(TimeSpan Lag);

    public ConductorClockActor(ConductorClock clock)
    {
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        mediator.Tell(new Subscribe(Topic, Self));
        Receive<SubscribeAck>(_ => { });
        Receive<Measured>(measured => mediator.Tell(new Publish(Topic, new ConductorLagReported(self, measured.Lag))));
        Receive<ConductorLagReported>(reported => clock.Heard(reported.Conductor, reported.Lag, DateTimeOffset.UtcNow));
    }

    public static Props Props(ConductorClock clock) => Akka.Actor.Props.Create(() => new ConductorClockActor(clock));
}
