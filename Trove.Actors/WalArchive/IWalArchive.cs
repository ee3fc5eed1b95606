namespace Trove.Actors.WalArchive;

/// <summary>The PostgreSQL WAL archive in the backup storage, as the control plane uses it: whether an instance archived a
/// segment, how a restore's guest reads them, and retention. Each instance's segments are apart from every other's.</summary>
public interface IWalArchive
{
    /// <summary>Whether the instance archived a segment: without one, its backups restore only to their own end.</summary>
    Task<bool> HoldsAsync(string tenantId, string instanceId, CancellationToken ct);

    /// <summary>A URI through which a restoring guest reads the instance's segments, and nothing else; null when the
    /// compute driver copies them into the new server instead.</summary>
    Task<string?> ReadableAsync(string tenantId, string instanceId, CancellationToken ct);

    /// <summary>Removes the segments archived before <paramref name="keepFrom"/> (the oldest kept backup's start: a segment
    /// complete by then holds nothing a restore of that backup replays); answers the names removed.</summary>
    Task<IReadOnlyList<string>> PruneAsync(string tenantId, string instanceId, DateTimeOffset keepFrom, CancellationToken ct);
}
