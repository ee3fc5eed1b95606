using Trove.Contracts.Datastores;

namespace Trove.Actors.WalArchive;

/// <summary>Which new instances archive their WAL: those of a datastore with point-in-time recovery, but for the versions
/// listed in <see cref="Off"/> (<c>datastore:version</c>, e.g. <c>postgresql:15</c>). The archive is in the backup storage:
/// in Swift (<see cref="Granted"/>), the guest archives through a URL its instance grants it, not into a directory of its own.</summary>
public sealed record WalArchiveSettings
{
    public IReadOnlyList<string> Off { get; init; } = [];

    public bool Granted { get; init; }

    public bool Archives(string datastore, string version) =>
        DatastoreProfiles.Find(datastore)?.Supports(DatastoreCapability.PointInTimeRecovery) == true
        && !Off.Contains($"{datastore}:{version}", StringComparer.OrdinalIgnoreCase);
}
