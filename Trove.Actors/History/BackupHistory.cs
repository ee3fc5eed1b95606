using Trove.Actors.Backups;
using static Trove.Actors.Backups.BackupEvents;

namespace Trove.Actors.History;

/// <summary>How a backup's events read in its history. The type names are part of the API: a renamed event keeps its name.</summary>
public static class BackupHistory
{
    public static string TypeOf(IBackupEvent e) => e switch
    {
        Created => "created",
        Progressed => "progressed",
        Failed => "failed",
        Deleted => "deleted",
        EndAcknowledged => "end_acknowledged",
        Abandoned => "abandoned",
        QuotaReturned => "quota_returned",
        ChildAdded => "child_added",
        _ => throw new InvalidOperationException($"no history type for {e.GetType().Name}"),
    };

    public static string? FaultOf(IBackupEvent e) => e switch
    {
        Progressed p => p.Fault,
        Failed f => f.Fault,
        Abandoned a => a.Reason,
        _ => null,
    };

    /// <summary>The user whose request caused the event: a take, an increment taken on the backup, a delete.</summary>
    public static string? UserOf(IBackupEvent e) => e switch
    {
        Created c => c.User,
        ChildAdded c => c.User,
        Deleted d => d.User,
        _ => null,
    };

    /// <summary>The backup's status; a deleted one is DELETED, so that a list following the stream drops it.</summary>
    public static string StatusOf(BackupState s) => s.IsDeleted ? "DELETED" : s.Status;

    public static HistoryEntry Entry(long sequenceNr, IBackupEvent e, BackupState after) =>
        new(sequenceNr, TypeOf(e), e.At, Task: null, StatusOf(after), FaultOf(e), UserOf(e));

    public static IEnumerable<HistoryStep<BackupState>> Steps(IEnumerable<(long SequenceNr, IBackupEvent Event)> events)
    {
        BackupState? state = null;
        foreach (var (seq, e) in events)
        {
            state = BackupRegistration.Projection.Apply(state, e);
            if (state is not null)
                yield return new HistoryStep<BackupState>(Entry(seq, e, state), state);
        }
    }
}
