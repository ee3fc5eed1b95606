using Akka.Actor;
using Akka.Event;
using Trove.Actors.Serialization;

namespace Trove.Actors.Sharding;

/// <summary>
/// What a node answers whoever asked an entity a message that went to dead letters on its way there. A shard stopping
/// for a hand-off keeps taking messages until it has stopped, and drops them (akka.net#8501); a node that left drops
/// what was still on its way. The entity never saw the message, so <see cref="EntityAsk"/> asks again, and the region,
/// which buffers while a shard moves, delivers it to the shard's next home.
/// </summary>
public sealed record Undelivered(string Message) : ITroveMessage;

public static class ShardingManifests
{
    public static IReadOnlyDictionary<string, Type> All { get; } = new Dictionary<string, Type>
    {
        ["sharding.undelivered.v1"] = typeof(Undelivered),
        ["sharding.asked.v1"] = typeof(Asked),
    };
}

/// <summary>Watches this node's dead letters for entity messages that an ask is waiting on, and tells the asker. A
/// region handing a shard off drops what it buffered for it as <see cref="Dropped"/>, which the dead letters always wrap in
/// a <see cref="DeadLetter"/> from the region itself: the asker and the message are the inner letter's.</summary>
public sealed class UndeliveredReturner : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public UndeliveredReturner()
    {
        Receive<DeadLetter>(letter =>
        {
            if (letter.Message is Dropped dropped)
                Return(dropped.Message, dropped.Sender, dropped.Recipient.IsNobody() ? letter.Sender : dropped.Recipient);
            else
                Return(letter.Message, letter.Sender, letter.Recipient);
        });
    }

    private void Return(object message, IActorRef? asker, IActorRef? recipient)
    {
        if (recipient is null || recipient.IsNobody() || !IsEntityAsk(message, asker, recipient))
            return;
        _log.Info("{0} was dropped on its way to {1}; its asker is told to ask again", message.GetType().Name, recipient.Path);
        asker!.Tell(new Undelivered(message.GetType().Name), ActorRefs.NoSender);
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe<DeadLetter>(Self);

    /// <summary>A command (not a reply) on its way to a shard region, a shard or an entity, from an ask's temporary actor.</summary>
    public static bool IsEntityAsk(object message, IActorRef? sender, IActorRef recipient) =>
        message is ITroveMessage and not Undelivered
        && sender is not null && !sender.IsNobody() && sender.Path.Elements is ["temp", ..]
        && recipient.Path.Elements is ["system", "sharding", ..];

    public static Props Props() => Akka.Actor.Props.Create(() => new UndeliveredReturner());
}
