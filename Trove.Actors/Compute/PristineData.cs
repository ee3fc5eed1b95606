using Microsoft.Extensions.Logging;
using Trove.Actors.Files;
using Trove.Contracts.Datastores;

namespace Trove.Actors.Compute;

/// <summary>
/// Pristine data directories, one per datastore version, made once by the node (initdb as the system's postgres user,
/// mariadb-install-db for the system's mysql user, as a guest would run them) and copied into each new server's
/// directory, where its guest takes the copy in place of initialising its own: a copy takes a tenth of an initdb, and of
/// a MariaDB install. A PostgreSQL template holds the spare database its server's first database is renamed from
/// (<see cref="PostgresInitdb.SpareDatabase"/>). A MariaDB template's socket account is a placeholder that its guest
/// replaces with its own. A template is made under another name and renamed whole, so a node killed meanwhile leaves no
/// half template, and nodes sharing the directory never see one.
/// </summary>
public sealed class PristineData(string directory, ILogger log)
{
    private readonly SemaphoreSlim _making = new(1, 1);

    /// <summary>Part of a template's name, raised when what a template holds changes (2: PostgreSQL's comes with its
    /// spare database), so that a node never copies an older release's; that release, sharing the directory during a
    /// rolling upgrade, keeps its own.</summary>
    private const int Layout = 2;

    /// <summary>Copies the pristine data of <paramref name="datastore"/> <paramref name="version"/> into the server's
    /// directory, then gives it to the server's user once <paramref name="owner"/> has made it (the copy runs while its
    /// useradd does); does nothing for a datastore without one, or when it cannot be made (the guest then runs initdb, as
    /// it always could).</summary>
    public async Task CopyIntoAsync(string datastore, string version, string serverDir, Task<(int Uid, int Gid)> owner, CancellationToken ct)
    {
        if (Installer(datastore, version) is not { } installer)
            return;
        string engineDir;
        try
        {
            var template = await TemplateAsync(datastore, version, installer, ct);
            var copy = Path.Combine(serverDir, installer.CopyPath);
            engineDir = Path.GetDirectoryName(copy)!;
            Directory.CreateDirectory(engineDir);
            await Run("cp", ["-a", template, copy], ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("no pristine {Datastore} {Version} data for the server in {Dir} ({Error}); its guest initialises its own",
                datastore, version, serverDir, e.Message);
            return;
        }
        var (uid, gid) = await owner;
        await Run("chown", ["-R", $"{uid}:{gid}", engineDir], ct);
        FileModes.Set(engineDir, FileModes.OwnerOnly);
    }

    /// <summary>Where a server's copy goes, and how its template is made in an empty directory owned by root.</summary>
    private sealed record Install(string CopyPath, Func<string, CancellationToken, Task> MakeAsync);

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
            });
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
            });
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
            var making = $"{template}.making-{Guid.NewGuid():N}";
            Directory.CreateDirectory(making);
            await installer.MakeAsync(making, ct);
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
