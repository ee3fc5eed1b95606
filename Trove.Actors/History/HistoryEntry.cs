namespace Trove.Actors.History;

/// <summary>One event of an entity's journal as its history shows it: what happened (a stable type name, never the
/// event's class name, which may change), when, the task and status the entity was in after it, the fault it carried,
/// and who asked when a request caused it. Nothing else of the event: no secret can reach a history.</summary>
public sealed record HistoryEntry(long Id, string Type, DateTimeOffset Created, string? Task, string Status, string? Fault, string? User = null);

/// <summary>An entry with the entity's state after its event.</summary>
public sealed record HistoryStep<TState>(HistoryEntry Entry, TState State);
