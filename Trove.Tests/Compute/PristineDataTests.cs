using Microsoft.Extensions.Logging.Abstractions;
using Trove.Actors.Compute;
using Trove.Contracts.Datastores;
using Trove.Tests.Support;

namespace Trove.Tests.Compute;

/// <summary>The node's pristine MariaDB install: its redo log, preallocated by the install and barely written, is kept
/// sparse in the template, so that a copy writes only its records; each copy's is preallocated again, as the install
/// left it (writing to it never waits for space). The engine starting on such a copy is MariaDbManagerTests' (their
/// servers take it).</summary>
public sealed class PristineDataTests : IDisposable
{
    private readonly string _dir = $"/tmp/tpd-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task The_MariaDB_template_s_redo_log_is_sparse_and_each_copy_s_is_preallocated()
    {
        var directory = Path.Combine(_dir, "pristine");
        var server = Path.Combine(_dir, "server");
        Directory.CreateDirectory(server);
        var mysql = ServerUsers.IdsOf("mysql") ?? throw new InvalidOperationException("no mysql user");
        await using (var pristine = new PristineData(directory, NullLogger.Instance))
        {
            await pristine.CopyIntoAsync(DatastoreProfiles.MariaDb.Name, "10.11", server, Task.FromResult(mysql), CancellationToken.None);
            await Poll.UntilAsync(() => Task.FromResult(Directory.GetDirectories(directory, "*.ahead-*").Length == 1),
                "the copy made ahead for the next server", seconds: 30);
        }

        var log = MariaDbInstall.PreallocatedFiles.Single();
        var made = Directory.GetDirectories(directory, $"{DatastoreProfiles.MariaDb.Name}-10.11.*");
        var template = Path.Combine(made.Single(d => !d.Contains(".ahead-")), log);
        var copies = new[] { Path.Combine(server, MariaDbInstall.PristineCopy, log), Path.Combine(made.Single(d => d.Contains(".ahead-")), log) };
        Assert.True(AllocatedBytes(template) < new FileInfo(template).Length / 10, $"{template}: {AllocatedBytes(template)} bytes allocated");
        foreach (var copy in copies)
        {
            Assert.Equal(new FileInfo(template).Length, new FileInfo(copy).Length);
            Assert.True(AllocatedBytes(copy) >= new FileInfo(copy).Length, $"{copy}: {AllocatedBytes(copy)} bytes allocated");
        }
    }

    /// <summary>Nodes sharing the directory (two <see cref="PristineData"/> here, as two nodes' would be): both make the
    /// template at once, both take the one copy made ahead at once, one stops while the other copies on; each server gets
    /// a whole copy, one template is left and nothing half made.</summary>
    [Fact]
    public async Task Nodes_sharing_the_directory_make_and_take_its_copies_at_once()
    {
        var directory = Path.Combine(_dir, "pristine");
        var mysql = ServerUsers.IdsOf("mysql") ?? throw new InvalidOperationException("no mysql user");
        var nodes = new[] { new PristineData(directory, NullLogger.Instance), new PristineData(directory, NullLogger.Instance) };
        try
        {
            Task<string> CopyIntoNewServer(PristineData node) => Task.Run(async () =>
            {
                var server = Directory.CreateDirectory(Path.Combine(_dir, Guid.NewGuid().ToString("N"))).FullName;
                await node.CopyIntoAsync(DatastoreProfiles.MariaDb.Name, "10.11", server, Task.FromResult(mysql), CancellationToken.None);
                return Path.Combine(server, MariaDbInstall.PristineCopy);
            });
            var copies = (await Task.WhenAll(nodes.Select(CopyIntoNewServer))).ToList();
            await Poll.UntilAsync(() => Task.FromResult(Directory.GetDirectories(directory, "*.ahead-*").Length >= 1),
                "a copy made ahead for the next server", seconds: 30);
            copies.AddRange(await Task.WhenAll(nodes.Select(CopyIntoNewServer)));
            await nodes[0].DisposeAsync();
            copies.Add(await CopyIntoNewServer(nodes[1]));
            await nodes[1].DisposeAsync(); // its copy made ahead ended

            foreach (var copy in copies)
                Assert.True(File.Exists(Path.Combine(copy, "mysql", "global_priv.MAD")), $"{copy} is not a whole copy");
            Assert.Single(Directory.GetDirectories(directory, $"{DatastoreProfiles.MariaDb.Name}-10.11.?"));
            Assert.Empty(Directory.GetDirectories(directory, "*.making-*"));
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    /// <summary>What a node killed while it made a copy left is removed an hour on, told by the copy's time: a copy of a
    /// template older than that is new, or another node sharing the directory would take it, still being made, for a
    /// killed node's leftover.</summary>
    [Fact]
    public async Task A_copy_of_an_old_template_is_new()
    {
        var directory = Path.Combine(_dir, "pristine");
        var mysql = ServerUsers.IdsOf("mysql") ?? throw new InvalidOperationException("no mysql user");
        await using var pristine = new PristineData(directory, NullLogger.Instance);
        async Task<string> CopyMadeAheadAsync()
        {
            var server = Directory.CreateDirectory(Path.Combine(_dir, Guid.NewGuid().ToString("N"))).FullName;
            await pristine.CopyIntoAsync(DatastoreProfiles.MariaDb.Name, "10.11", server, Task.FromResult(mysql), CancellationToken.None);
            string[] ahead = [];
            await Poll.UntilAsync(() => Task.FromResult((ahead = Directory.GetDirectories(directory, "*.ahead-*")).Length == 1),
                "the copy made ahead for the next server", seconds: 30);
            return ahead[0];
        }
        var first = await CopyMadeAheadAsync();
        var template = Directory.GetDirectories(directory, $"{DatastoreProfiles.MariaDb.Name}-10.11.?").Single();
        Directory.SetLastWriteTimeUtc(template, DateTime.UtcNow - TimeSpan.FromHours(2));

        var second = await CopyMadeAheadAsync(); // the next server takes the first; the second is made after it
        Assert.NotEqual(first, second);
        Assert.True(Directory.GetLastWriteTimeUtc(second) > DateTime.UtcNow - TimeSpan.FromMinutes(10),
            $"{second} dates from {Directory.GetLastWriteTimeUtc(second):u}, as its template");
    }

    public static TheoryData<string, string, string> Datastores => new()
    {
        { DatastoreProfiles.Postgres.Name, "15", "postgres" },
        { DatastoreProfiles.MariaDb.Name, "10.11", "mysql" },
    };

    /// <summary>A copy that fails part-way (the server's disk full: its directory a tmpfs of 1 MiB) leaves the server
    /// nothing: no half copy for its guest to take, and no directory of root's to refuse the guest its own.</summary>
    [Theory]
    [MemberData(nameof(Datastores))]
    public async Task A_copy_that_fails_part_way_leaves_the_server_nothing(string datastore, string version, string engineUser)
    {
        var server = Directory.CreateDirectory(Path.Combine(_dir, "server")).FullName;
        await Programs.RunCheckedAsync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", server]);
        _mounts.Add(server);
        var owner = ServerUsers.IdsOf(engineUser) ?? throw new InvalidOperationException($"no {engineUser} user");
        await using (var pristine = new PristineData(Path.Combine(_dir, "pristine"), NullLogger.Instance))
            await pristine.CopyIntoAsync(datastore, version, server, Task.FromResult(owner), CancellationToken.None);

        Assert.Empty(Directory.EnumerateFileSystemEntries(server));
    }

    private readonly List<string> _mounts = [];

    /// <summary>The disk space a file holds, as <c>stat</c> tells it (a hole holds none).</summary>
    private static long AllocatedBytes(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        var fields = stat.StandardOutput.ReadToEnd().Split(' ', StringSplitOptions.TrimEntries);
        stat.WaitForExit();
        return long.Parse(fields[0]) * long.Parse(fields[1]);
    }

    public void Dispose()
    {
        foreach (var mount in _mounts)
            Programs.RunCheckedAsync("umount", [mount]).GetAwaiter().GetResult();
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }
}
