using Akka.Persistence.Query;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;

namespace Trove.Actors.History;

/// <summary>Turns journal events into changes: keeps each entity's last state, and rebuilds it from the entity's journal
/// when it meets an entity it has not followed from its first event (or missed one of). One per reader of the journal.</summary>
internal sealed class ChangeFolder(EntityJournal journal)
{
    private readonly EntityJournal _journal = journal;
    private const int MaxKept = 10_000;
    private readonly Dictionary<string, (object State, long SequenceNr)> _kept = new();

    /// <summary>The kinds the live stream follows, and how one event of each reads as a change.</summary>
    private static readonly IFollowedKind[] Kinds =
    [
        new Followed<InstanceState, InstanceEvents.IInstanceEvent>(InstanceRegistration.Projection,
            (offset, seq, e, after) => new EntityChange(offset, after.TenantId, after.Id, InstanceHistory.Entry(seq, e, after), after, null)),
        new Followed<BackupState, BackupEvents.IBackupEvent>(BackupRegistration.Projection,
            (offset, seq, e, after) => new EntityChange(offset, after.TenantId, after.InstanceId, BackupHistory.Entry(seq, e, after), null, after)),
    ];

    public async Task<IReadOnlyList<EntityChange>> FoldAsync(EventEnvelope envelope)
    {
        foreach (var kind in Kinds)
            if (kind.Owns(envelope))
                return await kind.FoldAsync(this, envelope) is { } change ? [change] : [];
        // another of the entity's events (a create's quota hold): the state kept is still the state at this one
        if (_kept.TryGetValue(envelope.PersistenceId, out var kept) && kept.SequenceNr == envelope.SequenceNr - 1)
            _kept[envelope.PersistenceId] = (kept.State, envelope.SequenceNr);
        return [];
    }

    private interface IFollowedKind
    {
        bool Owns(EventEnvelope envelope);
        Task<EntityChange?> FoldAsync(ChangeFolder folder, EventEnvelope envelope);
    }

    private sealed record Followed<TState, TEvent>(ProjectedKind<TState, TEvent> Kind, Func<long, long, TEvent, TState, EntityChange> Change)
        : IFollowedKind where TState : class
    {
        public bool Owns(EventEnvelope envelope) => envelope.Event is TEvent && envelope.PersistenceId.StartsWith(Kind.PersistenceIdPrefix, StringComparison.Ordinal);

        public async Task<EntityChange?> FoldAsync(ChangeFolder folder, EventEnvelope envelope)
        {
            var (pid, seq) = (envelope.PersistenceId, envelope.SequenceNr);
            var before = folder._kept.TryGetValue(pid, out var kept) && kept.SequenceNr == seq - 1 ? (TState)kept.State
                : seq <= 1 ? null
                : (await folder._journal.EventsOfAsync(pid, seq - 1)).Select(e => e.Event).OfType<TEvent>().Aggregate((TState?)null, Kind.Apply);
            var e = (TEvent)envelope.Event;
            if (Kind.Apply(before, e) is not { } after)
                return null;
            folder.Keep(pid, after, seq);
            return Change(((Sequence)envelope.Offset).Value, seq, e, after);
        }
    }

    private void Keep(string pid, object state, long sequenceNr)
    {
        if (_kept.Count >= MaxKept)
            _kept.Clear();
        _kept[pid] = (state, sequenceNr);
    }
}
