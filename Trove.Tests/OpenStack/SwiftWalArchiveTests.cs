using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Trove.Actors.Backups;
using Trove.Actors.Compute;
using Trove.Guest.Datastores;
using Trove.Tests.Support;

namespace Trove.Tests.OpenStack;

/// <summary>The WAL archive in the sandbox's real Swift: the prefix TempURLs a guest gets, and the guest's archive and
/// restore commands (curl) through them.</summary>
[Collection(SwiftCollection.Name), SupportedOSPlatform("linux")]
public sealed class SwiftWalArchiveTests(SwiftSandbox sandbox) : IAsyncLifetime
{
    private static readonly HttpClient Guest = new();
    private static readonly SwiftBackupSettings Settings = new() { ContainerPrefix = "test_wal_" };
    private readonly SwiftBackupStorage _storage = new(sandbox.Session, Settings);
    private readonly string _tenant = Guid.NewGuid().ToString("N");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "trove-wal-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationToken _ct = CancellationToken.None;

    private SwiftWalArchive Archive => new(sandbox.Session, _storage, Settings);

    /// <summary>The object <paramref name="name"/> under a prefix TempURL: the URL's path plus the name, with its query.</summary>
    private static string ObjectOf(string prefixUri, string name) => prefixUri.Replace("/?", $"/{name}?");

    [Fact]
    public async Task A_guests_grant_writes_only_under_its_own_instances_prefix_and_a_restores_URL_only_reads_it()
    {
        var (mine, other) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var grant = (await Archive.GrantAsync(_tenant, mine, _ct)).Uri;
        Assert.Contains($"temp_url_prefix=wal/{mine}/", grant);
        var body = RandomNumberGenerator.GetBytes(1000);

        using (var put = await Guest.PutAsync(ObjectOf(grant, "000000010000000000000001"), new ByteArrayContent(body)))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        // Swift refuses the same signature for another instance's prefix, the container's top, a read and a delete
        foreach (var elsewhere in new[] { grant.Replace(mine, other), grant.Replace($"wal/{mine}/?", "backup.tar.gz?") })
            using (var put = await Guest.PutAsync(ObjectOf(elsewhere, "000000010000000000000002"), new ByteArrayContent(body)))
                Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        using (var read = await Guest.GetAsync(ObjectOf(grant, "000000010000000000000001")))
            Assert.Equal(HttpStatusCode.Unauthorized, read.StatusCode);
        using (var delete = await Guest.DeleteAsync(ObjectOf(grant, "000000010000000000000001")))
            Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Equal([$"wal/{mine}/000000010000000000000001"], await sandbox.ListAsync(_storage.ContainerOf(_tenant)));

        Assert.True(await Archive.HoldsAsync(_tenant, mine, _ct));
        Assert.False(await Archive.HoldsAsync(_tenant, other, _ct));
        var readable = (await Archive.ReadableAsync(_tenant, mine, _ct))!;
        Assert.Equal(body, await Guest.GetByteArrayAsync(ObjectOf(readable, "000000010000000000000001")));
        using (var write = await Guest.PutAsync(ObjectOf(readable, "000000010000000000000002"), new ByteArrayContent(body)))
            Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        using (var otherRead = await Guest.GetAsync(ObjectOf(readable.Replace(mine, other), "000000010000000000000001")))
            Assert.Equal(HttpStatusCode.Unauthorized, otherRead.StatusCode);

        // retention keeps what was archived from the oldest kept backup's start on, and removes what came before it
        Assert.Empty(await Archive.PruneAsync(_tenant, mine, DateTimeOffset.UtcNow.AddHours(-1), _ct));
        Assert.Equal(["000000010000000000000001"], await Archive.PruneAsync(_tenant, mine, DateTimeOffset.UtcNow.AddHours(1), _ct));
        Assert.False(await Archive.HoldsAsync(_tenant, mine, _ct));
    }

    [Fact]
    public async Task The_engines_archive_command_writes_a_segment_once_refuses_other_bytes_under_its_name_and_fails_without_a_grant()
    {
        var instance = Guid.NewGuid().ToString();
        var archive = new ObjectLogArchive(_directory, EngineUser.For("postgres")); // a cloud image's guest runs as root
        Directory.CreateDirectory(_directory);
        var segment = Path.Combine(_directory, "segment");
        await File.WriteAllBytesAsync(segment, RandomNumberGenerator.GetBytes(100_000), _ct);
        var command = await archive.ArchiveCommandAsync(_ct);

        Assert.NotEqual(0, await RunAsync(command, segment, "000000010000000000000001")); // no grant yet: PostgreSQL retries
        await archive.GrantAsync((await Archive.GrantAsync(_tenant, instance, _ct)).Uri, _ct);
        // the engine runs the script and reads the grant: its user's, not root's
        var postgres = ServerUsers.IdsOf("postgres")!.Value.Uid;
        Assert.All([command.Split(' ')[0], archive.GrantFile], file => Assert.Equal(postgres, FileOwner.UidOf(file)));
        Assert.Equal(0, await RunAsync(command, segment, "000000010000000000000001"));
        Assert.Equal(0, await RunAsync(command, segment, "000000010000000000000001")); // archived again after a crash: the same bytes pass
        var other = Path.Combine(_directory, "other");
        await File.WriteAllBytesAsync(other, [1, 2, 3], _ct);
        Assert.NotEqual(0, await RunAsync(command, other, "000000010000000000000001")); // never overwritten

        var restore = await archive.RestoreCommandAsync(Path.Combine(_directory, "restore", "wal-url"), (await Archive.ReadableAsync(_tenant, instance, _ct))!, _ct);
        var copy = Path.Combine(_directory, "copy");
        Assert.Equal(0, await RunAsync(restore, copy, "000000010000000000000001"));
        Assert.Equal(await File.ReadAllBytesAsync(segment, _ct), await File.ReadAllBytesAsync(copy, _ct));
        Assert.NotEqual(0, await RunAsync(restore, Path.Combine(_directory, "missing"), "000000010000000000000002")); // the end of the archive
    }

    /// <summary>Runs an archive or restore command as PostgreSQL does, with %p and %f filled in.</summary>
    private static async Task<int> RunAsync(string command, string path, string name) =>
        (await ProcessRunner.RunAsync("sh", ["-c", command.Replace("%p", path).Replace("%f", name)], CancellationToken.None)).ExitCode;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await sandbox.RemoveContainerAsync(_storage.ContainerOf(_tenant));
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}
