using Akka.Persistence.Journal;

namespace Trove.Actors.ReadModel;

/// <summary>Tags an entity kind's events in the journal with the kind's name, so that its projection can follow them.
/// Each kind declares its own (a journal event adapter, made by Akka with no arguments).</summary>
public abstract class KindTagger<TEvent>(string kind) : IWriteEventAdapter
{
    private readonly string[] _tags = [kind];

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => evt is TEvent ? new Tagged(evt, _tags) : evt;
}
