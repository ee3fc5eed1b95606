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
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }
}
