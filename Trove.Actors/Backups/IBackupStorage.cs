namespace Trove.Actors.Backups;

/// <summary>Where backups are kept. Guests write and read them; the control plane deletes them.</summary>
public interface IBackupStorage
{
    /// <summary>A stream to write a new backup to; <see cref="PendingBackup.CommitAsync"/> makes it visible at its location.</summary>
    Task<PendingBackup> CreateAsync(string backupId, CancellationToken ct);

    /// <summary>Where a backup's file is once committed: the control plane computes it, never takes it from a report.</summary>
    string LocationOf(string backupId);

    Task<Stream> OpenReadAsync(string location, CancellationToken ct);

    /// <summary>Removes a backup; a missing one is already removed.</summary>
    Task DeleteAsync(string location, CancellationToken ct);
}

public sealed class PendingBackup(Stream stream, string location, Func<Task> commit, Func<Task> abandon) : IAsyncDisposable
{
    private bool _committed;
    public Stream Stream => stream;
    public string Location => location;

    public async Task CommitAsync()
    {
        await stream.DisposeAsync();
        await commit();
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync();
        if (!_committed)
            await abandon();
    }
}
