using Trove.Contracts.Datastores;

namespace Trove.Actors.WalArchive;

/// <summary>Which new instances archive their WAL: those of a datastore with point-in-time recovery, but for the versions
/// listed in <see cref="Off"/> (<c>datastore:version</c>, e.g. <c>postgresql:15</c>), where the backup storage holds an
/// archive (<see cref="Available"/>: the local storage, so far).</summary>
public sealed record WalArchiveSettings
{
    public IReadOnlyList<string> Off { get; init; } = [];

    public bool Available { get; init; } = true;

    public bool Archives(string datastore, string version) =>
        Available && DatastoreProfiles.Find(datastore)?.Supports(DatastoreCapability.PointInTimeRecovery) == true
        && !Off.Contains($"{datastore}:{version}", StringComparer.OrdinalIgnoreCase);
}
