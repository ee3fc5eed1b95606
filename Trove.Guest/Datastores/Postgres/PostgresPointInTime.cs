using Microsoft.Extensions.Logging;
using Npgsql;

namespace Trove.Guest.Datastores.Postgres;

/// <summary>
/// Continuous archiving and point-in-time recovery. The engine's archive_command copies each completed WAL segment into
/// the server's own directory of the backup storage (the guest's <c>wal_archive</c>), or PUTs it into object storage
/// through the URL the control plane granted (<see cref="ObjectLogArchive"/>), under PostgreSQL's own name (timeline, then
/// position), so that the segments after a backup's start sort after it; archive_timeout closes a segment at least once a
/// minute, which bounds what a restore to the latest point can lack. A restore replays, with restore_command, the segments
/// the compute driver copied into the new server or those it reads through a read-only URL for its source's prefix, up to
/// recovery_target_time or to the end, then promotes: the new server archives into its own archive, never into its source's.
/// </summary>
public sealed partial class PostgresManager
{
    private const string ArchiveFile = "trove-archive.conf";
    private const string RecoveryFile = "trove-recovery.conf";
    private static readonly TimeSpan ArchiveTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(10);

    /// <summary>An existing segment is never overwritten (a repeated call for the same one succeeds when it is the same);
    /// a new one is copied under a temporary name and renamed, so that the archive never holds half a segment.</summary>
    private async Task WriteArchiveSettingsAsync(string dataDir, CancellationToken ct)
    {
        var command = _walArchive is { } archive
            ? $"if test -f {archive}/%f; then cmp -s %p {archive}/%f; else cp %p {archive}/%f.part && mv {archive}/%f.part {archive}/%f; fi"
            : _archivesToObjects ? await _objectArchive.ArchiveCommandAsync(ct) : null;
        var settings = command is null
            ? "archive_mode = off\n"
            : $"archive_mode = on\narchive_timeout = {(int)ArchiveTimeout.TotalSeconds}\narchive_command = '{command}'\n";
        var file = Path.Combine(dataDir, ArchiveFile);
        await File.WriteAllTextAsync(file, settings, ct);
        await _os.OwnAsync(file, ct);
    }

    public Task GrantLogArchiveAsync(string uri, CancellationToken ct) => _objectArchive.GrantAsync(uri, ct);

    public async Task RecoverAsync(string walCopies, string? walUri, DateTimeOffset? targetTime, CancellationToken ct)
    {
        var command = walUri is null
            ? $"cp {walCopies}/%f %p"
            : await _objectArchive.RestoreCommandAsync(Path.Combine(walCopies, "wal-url"), walUri, ct);
        var settings = $"restore_command = '{command}'\nrecovery_target_action = 'promote'\n";
        if (targetTime is { } target)
            settings += $"recovery_target_time = '{target.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}+00'\n";
        var file = Path.Combine(_dataDir, RecoveryFile);
        await File.WriteAllTextAsync(file, settings, ct);
        await _os.OwnAsync(file, ct);
        var signal = Path.Combine(_dataDir, "recovery.signal");
        await File.WriteAllTextAsync(signal, "", ct);
        await _os.OwnAsync(signal, ct);
        await StartAsync(ct);
        await WaitForPromotionAsync(ct);
        await File.WriteAllTextAsync(file, "", ct); // the copies it names are discarded next
        _log.LogInformation("postgresql recovered to {Target} and promoted", targetTime?.ToString("O") ?? "the end of the archive");
    }

    /// <summary>The engine takes connections once consistent, and promotes itself at the target; one that stops meanwhile
    /// (a target the archive does not reach) says why in its log.</summary>
    private async Task WaitForPromotionAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + RecoveryTimeout;
        while (true)
        {
            try
            {
                await using var admin = await OpenAdminAsync("postgres", ct);
                await using var query = new NpgsqlCommand("SELECT pg_is_in_recovery()", admin);
                if (await query.ExecuteScalarAsync(ct) is false)
                    return;
            }
            catch (NpgsqlException e)
            {
                if (!await IsRunningAsync(ct))
                    throw new InvalidOperationException($"postgresql stopped during recovery: {e.Message}; the end of {ServerLog}: {EngineLog.Tail(ServerLog)}", e);
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"postgresql did not finish its recovery in {RecoveryTimeout}; the end of {ServerLog}: {EngineLog.Tail(ServerLog)}");
            await Task.Delay(200, ct);
        }
    }
}
