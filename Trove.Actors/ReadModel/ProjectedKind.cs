namespace Trove.Actors.ReadModel;

/// <summary>What a row of the read model says about an entity, besides its state. <paramref name="Busy"/>: work in
/// progress that must go on after a crash, a handoff or a restart (see <see cref="WorkResumer"/>).</summary>
public sealed record RowFacts(string TenantId, DateTimeOffset Created, bool Deleted, bool Busy);

/// <summary>A kind of entity as the read model's migrations see it.</summary>
public interface IProjectedKind
{
    string Kind { get; }

    /// <summary>Whether the state a row holds has work in progress (<see cref="RowFacts.Busy"/>).</summary>
    bool IsBusy(string stateJson);
}

/// <summary>
/// One kind of entity the read model follows: the journal tag of its events, the persistence-id prefix its ids
/// come from (the kind's own by default; another entity's for a view of part of that entity's journal), and how its
/// state is folded (the entity's own pure apply) and described.
/// </summary>
public sealed record ProjectedKind<TState, TEvent>(
    string Kind,
    Func<TState?, TEvent, TState?> Apply,
    Func<TState, RowFacts> Facts) : IProjectedKind where TState : class
{
    public string PersistenceIdPrefix { get; init; } = $"{Kind}-";

    /// <summary>The read model's row for <paramref name="state"/>, the entity's state after its event <paramref name="sequenceNr"/>.</summary>
    public EntityRow Row(string id, TState state, long sequenceNr)
    {
        var facts = Facts(state);
        return new EntityRow
        {
            Kind = Kind,
            Id = id,
            TenantId = facts.TenantId,
            CreatedTicks = facts.Created.UtcTicks,
            Deleted = facts.Deleted,
            Busy = facts.Busy,
            State = System.Text.Json.JsonSerializer.Serialize(state, ReadModelDb.Json),
            Seq = sequenceNr,
        };
    }

    public bool IsBusy(string stateJson) =>
        System.Text.Json.JsonSerializer.Deserialize<TState>(stateJson, ReadModelDb.Json) is { } state && Facts(state).Busy;
}
