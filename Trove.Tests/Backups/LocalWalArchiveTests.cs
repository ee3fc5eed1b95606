using Trove.Actors.WalArchive;

namespace Trove.Tests.Backups;

/// <summary>The WAL archive's directory per instance in the local backup storage: retention by the oldest kept backup's
/// start, and a restore's copy of its source's complete segments.</summary>
public sealed class LocalWalArchiveTests : IDisposable
{
    private readonly string _backups = Directory.CreateTempSubdirectory("trove-wal-").FullName;
    private readonly string _instance = Guid.NewGuid().ToString();
    private static readonly DateTimeOffset BackupStart = new(2026, 12, 6, 7, 0, 0, TimeSpan.Zero);

    public void Dispose() => Directory.Delete(_backups, recursive: true);

    private string Segment(LocalWalArchive archive, string name, DateTimeOffset archivedAt)
    {
        var file = Path.Combine(archive.DirectoryOf(_instance), name);
        File.WriteAllText(file, name);
        File.SetLastWriteTimeUtc(file, archivedAt.UtcDateTime);
        return file;
    }

    [Fact]
    public void Segments_archived_before_the_oldest_kept_backup_began_go_and_those_after_it_stay()
    {
        var archive = new LocalWalArchive(_backups);
        archive.Open(_instance, 0, 0);
        var before = Segment(archive, "000000010000000000000002", BackupStart.AddMinutes(-1));
        var after = Segment(archive, "000000010000000000000003", BackupStart.AddSeconds(1));
        var partial = Segment(archive, "000000010000000000000004.part", BackupStart.AddMinutes(-1));

        Assert.Equal(["000000010000000000000002"], archive.Prune(_instance, BackupStart));
        Assert.False(File.Exists(before));
        Assert.True(File.Exists(after));
        Assert.True(File.Exists(partial)); // the engine is still copying it
        Assert.Empty(archive.Prune(Guid.NewGuid().ToString(), BackupStart)); // an instance that archived nothing
        Assert.True(archive.Holds(_instance));
        Assert.False(archive.Holds(Guid.NewGuid().ToString()));
    }

    [Fact]
    public async Task A_restore_gets_a_copy_of_its_source_s_complete_segments_as_its_own()
    {
        var archive = new LocalWalArchive(_backups);
        archive.Open(_instance, 0, 0);
        Segment(archive, "000000010000000000000002", BackupStart);
        Segment(archive, "000000010000000000000003.part", BackupStart);
        var into = Path.Combine(_backups, "server", "restore", "wal");
        Directory.CreateDirectory(Path.GetDirectoryName(into)!);

        await archive.CopyAsync(_instance, into, 0, 0, CancellationToken.None);

        Assert.Equal(["000000010000000000000002"], Directory.EnumerateFiles(into).Select(Path.GetFileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(into));
    }
}
