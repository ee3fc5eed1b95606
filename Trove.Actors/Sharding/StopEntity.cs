namespace Trove.Actors.Sharding;

/// <summary>
/// What a shard sends its entity to stop it, on handoff and on passivation. Unlike PoisonPill, which stops an actor
/// at once, this is an ordinary command: it waits behind a persist in progress and the commands stashed meanwhile,
/// so a write the entity took is persisted and answered before the entity stops and its shard moves.
/// </summary>
public sealed record StopEntity
{
    public static readonly StopEntity Instance = new();

    private StopEntity() { }
}
