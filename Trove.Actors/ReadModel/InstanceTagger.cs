using Akka.Persistence.Journal;
using Trove.Actors.Instances;

namespace Trove.Actors.ReadModel;

/// <summary>Tags instance events in the journal so that the projection can follow them.</summary>
public sealed class InstanceTagger : IWriteEventAdapter
{
    private static readonly string[] Tags = [InstanceProjection.Tag];

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => evt is InstanceEvents.IInstanceEvent ? new Tagged(evt, Tags) : evt;
}
