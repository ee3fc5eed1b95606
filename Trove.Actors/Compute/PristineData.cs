using Microsoft.Extensions.Logging;
using Trove.Actors.Files;
using Trove.Contracts.Datastores;

namespace Trove.Actors.Compute;

/// <summary>
/// Pristine data directories, one per datastore version, made once by the node (initdb as the system's postgres user,
/// mariadb-install-db for the system's mysql user, as a guest would run them) and copied into each new server's
/// directory, where its guest takes the copy in place of initialising its own: a copy takes a tenth of an initdb, and of
/// a MariaDB install. One copy per template is made ahead, so that a create only moves it in: what a copy costs (0.1 s
/// here, over a second while the disk is busy) is no longer part of a create. A PostgreSQL template holds the spare
/// database its server's first database is renamed from (<see cref="PostgresInitdb.SpareDatabase"/>). A MariaDB
/// template's socket account is a placeholder that its guest replaces with its own. A template is made under another
/// name and renamed whole, so a node killed meanwhile leaves no half template, and nodes sharing the directory never see
/// one.
/// A file the engine preallocated and barely wrote (MariaDB's 96 MiB redo log, a few KiB of records) is kept sparse in the
/// template, so that a copy writes only its records, and is preallocated again in each copy: copying its zeros was most
/// of a copy's writes, and an engine's first start on a copy still being written back waited for them on disk.
/// </summary>
public sealed class PristineData(string directory, ILogger log) : IAsyncDisposable
{
    private readonly SemaphoreSlim _making = new(1, 1);

    /// <summary>Part of a template's name, raised when what a template holds changes (2: PostgreSQL's comes with its
    /// spare database), so that a node never copies an older release's; that release, sharing the directory during a
    /// rolling upgrade, keeps its own.</summary>
    private const int Layout = 2;

    /// <summary>The copy being made ahead, per template.</summary>
    private readonly Dictionary<string, Task> _ahead = [];

    /// <summary>Gives the server's directory the pristine data of <paramref name="datastore"/> <paramref name="version"/>:
    /// the copy made ahead, moved in (a rename), or else a copy made now; then another is made ahead for the next server,
    /// in the background. It becomes the server's user's once <paramref name="owner"/> has made it (useradd runs
    /// meanwhile). Does nothing for a datastore without pristine data, or when it cannot be made (the guest then runs
    /// initdb, as it always could).</summary>
    public async Task CopyIntoAsync(string datastore, string version, string serverDir, Task<(int Uid, int Gid)> owner, CancellationToken ct)
    {
        if (Installer(datastore, version) is not { } installer)
            return;
        var copy = Path.Combine(serverDir, installer.CopyPath);
        var engineDir = Path.GetDirectoryName(copy)!;
        try
        {
            var template = await TemplateAsync(datastore, version, installer, ct);
            Directory.CreateDirectory(engineDir);
            if (!TakeCopyMadeAhead(template, copy))
                await CopyAsync(template, copy, installer, ct);
            MakeCopyAhead(template, installer);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("no pristine {Datastore} {Version} data for the server in {Dir} ({Error}); its guest initialises its own",
                datastore, version, serverDir, e.Message);
            RemoveHalfCopy(engineDir);
            return;
        }
        var (uid, gid) = await owner;
        await Run("chown", ["-R", $"{uid}:{gid}", engineDir], ct);
        FileModes.Set(engineDir, FileModes.OwnerOnly);
    }

    /// <summary>What a copy that failed part-way (a full disk, say) made is root's, and would refuse the guest its own
    /// directory, or give it half a copy to take: it goes, and the guest makes its own.</summary>
    private void RemoveHalfCopy(string engineDir)
    {
        try
        {
            if (Directory.Exists(engineDir))
                Directory.Delete(engineDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogWarning("what a failed pristine copy left in {Dir} could not be removed ({Error})", engineDir, e.Message);
        }
    }

    /// <summary>A copy of the template made ahead, moved to <paramref name="copy"/>: false when there is none, or when
    /// other creates (of this node, or of another sharing the directory) took each first.</summary>
    private bool TakeCopyMadeAhead(string template, string copy)
    {
        foreach (var ahead in Directory.EnumerateDirectories(directory, Path.GetFileName(template) + AheadInfix + "*"))
        {
            try
            {
                Directory.Move(ahead, copy);
                return true;
            }
            catch (IOException) when (!Directory.Exists(ahead))
            {
            }
        }
        return false;
    }

    private const string AheadInfix = ".ahead-", MakingInfix = ".making-";

    private static readonly TimeSpan AheadDelay = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _disposed = new();

    /// <summary>One copy at a time per template, and none while one is ready: a burst of creates copies its own.</summary>
    private void MakeCopyAhead(string template, Install installer)
    {
        lock (_ahead)
        {
            if (_ahead.TryGetValue(template, out var running) && !running.IsCompleted)
                return;
            _ahead[template] = Task.Run(() => CopyAheadAsync(template, installer));
        }
    }

    /// <summary>Made a little after the create that took the last one, whose engine starts meanwhile on the same cores
    /// and disk; under another name and renamed whole, as a template is. What a node killed mid-copy left is removed an
    /// hour on.</summary>
    private async Task CopyAheadAsync(string template, Install installer)
    {
        var making = $"{template}{MakingInfix}{Guid.NewGuid():N}";
        try
        {
            await Task.Delay(AheadDelay, _disposed.Token);
            var name = Path.GetFileName(template);
            if (Directory.EnumerateDirectories(directory, name + AheadInfix + "*").Any())
                return;
            foreach (var left in Directory.EnumerateDirectories(directory, name + MakingInfix + "*")
                         .Where(d => Directory.GetLastWriteTimeUtc(d) < DateTime.UtcNow - TimeSpan.FromHours(1)))
                Directory.Delete(left, recursive: true);
            await CopyAsync(template, making, installer, CancellationToken.None);
            Directory.Move(making, $"{template}{AheadInfix}{Guid.NewGuid():N}");
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            log.LogWarning("no copy of {Template} made ahead ({Error}); the next server's is made as it is created", template, e.Message);
            if (Directory.Exists(making))
                Directory.Delete(making, recursive: true);
        }
    }

    /// <summary>Until the copies being made ahead have ended: a node stopping, or a test deleting the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        Task[] running;
        lock (_ahead)
            running = [.. _ahead.Values];
        await Task.WhenAll(running);
    }

    /// <summary>cp -a keeps the template's holes; the sparse files are then preallocated as the engine made them. Not its
    /// times: a copy of an old template would be as old the moment cp ends, and another node's <see cref="CopyAheadAsync"/>
    /// would remove it, still being made, as a killed node's.</summary>
    private static async Task CopyAsync(string template, string copy, Install installer, CancellationToken ct)
    {
        await Run("cp", ["-a", "--no-preserve=timestamps", template, copy], ct);
        foreach (var file in installer.Sparse)
            FileSpace.Preallocate(Path.Combine(copy, file));
    }

    /// <summary>Where a server's copy goes, how its template is made in an empty directory owned by root, and the files
    /// the template keeps sparse (each copy's are preallocated again).</summary>
    private sealed record Install(string CopyPath, Func<string, CancellationToken, Task> MakeAsync, IReadOnlyList<string> Sparse);

    /// <summary>None for a datastore without pristine data, or whose tools this machine lacks.</summary>
    private Install? Installer(string datastore, string version)
    {
        if (datastore == DatastoreProfiles.Postgres.Name && File.Exists(PostgresInitdb.Tool(version)))
            return new Install(PostgresInitdb.PristineCopy, async (making, ct) =>
            {
                await Run("chown", ["postgres:", making], ct);
                await Run("runuser", ["-u", "postgres", "--", PostgresInitdb.Tool(version), .. PostgresInitdb.Args(making)], ct);
                // single-user mode: no socket, no port; it ends, with a shutdown checkpoint, when its input does
                await Run("runuser", ["-u", "postgres", "--", PostgresInitdb.Engine(version), "--single", "-D", making, "postgres"], ct,
                    $"CREATE DATABASE {PostgresInitdb.SpareDatabase}\n");
            }, []);
        if (datastore == DatastoreProfiles.MariaDb.Name && File.Exists(MariaDbInstall.Tool))
            return new Install(MariaDbInstall.PristineCopy, async (making, ct) =>
            {
                var tmp = $"{making}.tmp";
                Directory.CreateDirectory(tmp);
                try
                {
                    await Run("chown", ["mysql:", making, tmp], ct);
                    await Run(MariaDbInstall.Tool, MariaDbInstall.Args(making, MariaDbInstall.PristineAccount, "mysql", tmp), ct);
                }
                finally
                {
                    Directory.Delete(tmp, recursive: true);
                }
            }, MariaDbInstall.PreallocatedFiles);
        return null;
    }

    private async Task<string> TemplateAsync(string datastore, string version, Install installer, CancellationToken ct)
    {
        var template = Path.Combine(directory, $"{datastore}-{version}.{Layout}");
        if (Directory.Exists(template))
            return template;
        await _making.WaitAsync(ct);
        try
        {
            if (Directory.Exists(template))
                return template;
            Directory.CreateDirectory(directory);
            FileModes.Set(directory, FileModes.Searchable); // the engines' users reach their own directories in it, nothing else
            var making = $"{template}{MakingInfix}{Guid.NewGuid():N}";
            Directory.CreateDirectory(making);
            await installer.MakeAsync(making, ct);
            foreach (var file in installer.Sparse.Select(f => Path.Combine(making, f)))
            {
                // its unwritten blocks read as zeros, and become holes (fallocate --dig-holes sees them as holes already)
                await Run("cp", ["-a", "--sparse=always", file, $"{file}.sparse"], ct);
                File.Move($"{file}.sparse", file, overwrite: true);
            }
            try
            {
                Directory.Move(making, template);
            }
            catch (IOException) when (Directory.Exists(template))
            {
                Directory.Delete(making, recursive: true); // another node sharing the directory made it first
            }
            log.LogInformation("pristine {Datastore} {Version} data made in {Template}", datastore, version, template);
            return template;
        }
        finally
        {
            _making.Release();
        }
    }

    private static async Task Run(string tool, IReadOnlyList<string> args, CancellationToken ct, string? input = null)
    {
        var result = await HostCommand.RunAsync(tool, args, ct, input);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{tool} exited with {result.ExitCode}: {result.Error}");
    }
}
