namespace Trove.Contracts.Datastores;

/// <summary>What a datastore's guest can do beyond databases, users, root and configuration. A capability a datastore
/// lacks is refused at the API (<see cref="DatastoreProfile.Lacks"/>) before anything reaches its guest.</summary>
/// <paramref name="Replication"/>: replicas (<c>replica_of</c>) streaming from a source instance, detached on request;
/// <paramref name="Promotion"/>: a replica set's switchover and failover (promote_to_replica_source, eject_replica_source);
/// <paramref name="PointInTimeRecovery"/>: a continuous archive of the engine's log, replayed over a restored backup up to
/// a time (<c>restorePoint.restore_time</c>) or to the archive's end.
public sealed record DatastoreCapabilities(bool Backups, bool IncrementalBackups, bool ReadOnlyMode, bool Replication = false,
    bool Promotion = false, bool PointInTimeRecovery = false);

public enum DatastoreCapability
{
    Backups,
    IncrementalBackups,
    ReadOnlyMode,
    Replication,
    Promotion,
    PointInTimeRecovery,
}
