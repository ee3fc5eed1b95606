using Akka.Event;

namespace Trove.Actors.ReadModel;

/// <summary>
/// An entity's own write of its read-model row, made after its events are persisted and before it answers or takes
/// its next command. Without it, the lists (which read the read model) trail the answers and shows (which read the
/// entity) by the projection's delay, and a client sees a deleted instance listed again after a 404. The row carries
/// the entity's sequence number, so neither this write nor the projection ever replaces a newer row with an older one.
/// The write is synchronous on purpose: an asynchronous one would let a show answer a state the lists do not have
/// yet. It is a single-row upsert; when it fails the projection still writes the row a moment later.
/// </summary>
public sealed class OwnRow<TState, TEvent>(ReadModelDb? db, ProjectedKind<TState, TEvent> kind, ILoggingAdapter log) where TState : class
{
    public void Write(string id, TState? state, long sequenceNr)
    {
        if (db is null || state is null)
            return;
        try
        {
            db.UpsertNewer(kind.Row(id, state, sequenceNr));
        }
        catch (Exception e)
        {
            log.Warning("{0} {1}: its read-model row could not be written ({2}); the projection will", kind.Kind, id, e.Message);
        }
    }
}
