using Akka.Persistence.Query;
using Trove.Actors.Backups;
using Trove.Actors.Instances;

namespace Trove.Actors.History;

/// <summary>Turns one stream's journal events into changes: keeps each entity's last state, and rebuilds it from the
/// entity's journal when the stream meets an entity it has not followed from its first event (or missed one of).
/// One per materialized stream.</summary>
internal sealed class ChangeFolder(EntityJournal journal)
{
    private const int MaxKept = 10_000;
    private readonly Dictionary<string, (object State, long SequenceNr)> _kept = new();

    public async Task<IReadOnlyList<EntityChange>> FoldAsync(EventEnvelope envelope)
    {
        var offset = ((Sequence)envelope.Offset).Value;
        var pid = envelope.PersistenceId;
        switch (envelope.Event)
        {
            case InstanceEvents.IInstanceEvent e when pid.StartsWith(InstanceRegistration.Projection.PersistenceIdPrefix):
            {
                var before = await BeforeAsync<InstanceState>(pid, envelope.SequenceNr,
                    (s, x) => x is InstanceEvents.IInstanceEvent ie ? InstanceRegistration.Projection.Apply(s, ie) : s);
                if (Keep(pid, InstanceRegistration.Projection.Apply(before, e), envelope.SequenceNr) is not { } after)
                    return [];
                return [new EntityChange(offset, after.TenantId, after.Id, InstanceHistory.Entry(envelope.SequenceNr, e, after), after, null)];
            }
            case BackupEvents.IBackupEvent e when pid.StartsWith(BackupRegistration.Projection.PersistenceIdPrefix):
            {
                var before = await BeforeAsync<BackupState>(pid, envelope.SequenceNr,
                    (s, x) => x is BackupEvents.IBackupEvent be ? BackupRegistration.Projection.Apply(s, be) : s);
                if (Keep(pid, BackupRegistration.Projection.Apply(before, e), envelope.SequenceNr) is not { } after)
                    return [];
                return [new EntityChange(offset, after.TenantId, after.InstanceId, BackupHistory.Entry(envelope.SequenceNr, e, after), null, after)];
            }
            default:
                return [];
        }
    }

    private async Task<TState?> BeforeAsync<TState>(string pid, long sequenceNr, Func<TState?, object, TState?> apply) where TState : class
    {
        if (_kept.TryGetValue(pid, out var kept) && kept.SequenceNr == sequenceNr - 1)
            return (TState)kept.State;
        if (sequenceNr <= 1)
            return null;
        return (await journal.EventsOfAsync(pid, sequenceNr - 1)).Aggregate((TState?)null, (s, e) => apply(s, e.Event));
    }

    private TState? Keep<TState>(string pid, TState? state, long sequenceNr) where TState : class
    {
        if (state is null)
            return null;
        if (_kept.Count >= MaxKept)
            _kept.Clear();
        _kept[pid] = (state, sequenceNr);
        return state;
    }
}
