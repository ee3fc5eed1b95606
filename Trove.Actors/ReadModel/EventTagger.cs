using Akka.Persistence.Journal;
using Trove.Actors.Backups;
using Trove.Actors.Instances;

namespace Trove.Actors.ReadModel;

/// <summary>Tags events in the journal by the kind of their entity, so that the projections can follow them.</summary>
public sealed class EventTagger : IWriteEventAdapter
{
    private static readonly string[] InstanceTags = [InstanceRegistration.TypeName];
    private static readonly string[] BackupTags = [BackupRegistration.TypeName];

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => evt switch
    {
        InstanceEvents.IInstanceEvent => new Tagged(evt, InstanceTags),
        BackupEvents.IBackupEvent => new Tagged(evt, BackupTags),
        _ => evt,
    };
}
