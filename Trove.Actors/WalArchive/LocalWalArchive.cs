using Trove.Actors.Files;

namespace Trove.Actors.WalArchive;

/// <summary>
/// The PostgreSQL WAL archive in the local backup storage: a directory per instance, <c>wal/{instance id}/</c>, which
/// only that instance's server user may write (as it writes only its own backup file), in a directory of root's that
/// servers can pass but not list. Segments keep PostgreSQL's names (timeline, then position), so those after a backup's
/// start sort after it. A restore gets a copy of its source's segments, as it gets a copy of its backups; a deleted
/// server's archive becomes root's, so that a later user with the same uid owns none of it; retention removes segments
/// archived before the instance's oldest kept backup began.
/// </summary>
public sealed class LocalWalArchive(string backupsDirectory) : IWalArchive
{
    private const string PartialSuffix = ".part";
    private string Root => Path.Combine(Path.GetFullPath(backupsDirectory), "wal");

    public string DirectoryOf(string instanceId) => Path.Combine(Root, Guid.Parse(instanceId).ToString());

    /// <summary>Whether the instance archived a segment here: without one, its backups restore only to their own end.</summary>
    public bool Holds(string instanceId) => Directory.Exists(DirectoryOf(instanceId)) && Segments(DirectoryOf(instanceId)).Any();

    public Task<bool> HoldsAsync(string tenantId, string instanceId, CancellationToken ct) => Task.FromResult(Holds(instanceId));

    public Task<string?> ReadableAsync(string tenantId, string instanceId, CancellationToken ct) => Task.FromResult<string?>(null);

    public Task<IReadOnlyList<string>> PruneAsync(string tenantId, string instanceId, DateTimeOffset keepFrom, CancellationToken ct) =>
        Task.FromResult(Prune(instanceId, keepFrom));

    /// <summary>Makes the instance's archive directory its server user's alone, and answers it.</summary>
    public string Open(string instanceId, int uid, int gid)
    {
        Directory.CreateDirectory(Root);
        FileModes.Set(Root, FileModes.Searchable);
        var dir = DirectoryOf(instanceId);
        Directory.CreateDirectory(dir);
        FileModes.Own(dir, uid, gid, FileModes.OwnerOnly);
        return dir;
    }

    /// <summary>Copies the complete segments (and timeline histories) archived by <paramref name="sourceInstanceId"/> into
    /// <paramref name="into"/>, as the restoring server's user's; a source that archived nothing gives nothing.</summary>
    public async Task CopyAsync(string sourceInstanceId, string into, int uid, int gid, CancellationToken ct)
    {
        var source = DirectoryOf(sourceInstanceId);
        if (!Directory.Exists(source))
            return;
        Directory.CreateDirectory(into);
        FileModes.Own(into, uid, gid, FileModes.OwnerOnly);
        foreach (var segment in Segments(source))
        {
            var copy = Path.Combine(into, Path.GetFileName(segment));
            File.Delete(copy);
            await using (var from = File.OpenRead(segment))
            await using (var to = new FileStream(copy, FileMode.CreateNew, FileAccess.Write))
                await from.CopyToAsync(to, ct);
            FileModes.Own(copy, uid, gid, FileModes.OwnerReadWrite);
        }
    }

    /// <summary>The archive of a deleted server stays (its backups may still be restored to a time) as root's.</summary>
    public void Seal(string instanceId)
    {
        var dir = DirectoryOf(instanceId);
        if (!Directory.Exists(dir))
            return;
        foreach (var file in Directory.EnumerateFiles(dir))
            FileModes.Own(file, 0, 0, FileModes.OwnerReadWrite);
        FileModes.Own(dir, 0, 0, FileModes.OwnerOnly);
    }

    /// <summary>Removes the segments archived before <paramref name="keepFrom"/> (the oldest kept backup's start: a segment
    /// complete by then holds nothing a restore of that backup replays); answers the names removed.</summary>
    public IReadOnlyList<string> Prune(string instanceId, DateTimeOffset keepFrom)
    {
        var dir = DirectoryOf(instanceId);
        if (!Directory.Exists(dir))
            return [];
        var removed = new List<string>();
        foreach (var segment in Segments(dir).Where(s => File.GetLastWriteTimeUtc(s) < keepFrom.UtcDateTime))
        {
            File.Delete(segment);
            removed.Add(Path.GetFileName(segment));
        }
        return removed;
    }

    private static IEnumerable<string> Segments(string dir) =>
        Directory.EnumerateFiles(dir).Where(f => !f.EndsWith(PartialSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
}
