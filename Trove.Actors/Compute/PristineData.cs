using Microsoft.Extensions.Logging;
using Trove.Actors.Files;
using Trove.Contracts.Datastores;

namespace Trove.Actors.Compute;

/// <summary>
/// Pristine data directories, one per datastore version, made once by the node (initdb as the system's postgres user,
/// as a guest would run it) and copied into each new server's directory, where its guest takes the copy in place of
/// running initdb itself: a copy takes a tenth of an initdb. PostgreSQL only: a MariaDB install names the server's own
/// OS user in its grant tables. A template is made under another name and renamed whole, so a node killed meanwhile
/// leaves no half template, and nodes sharing the directory never see one.
/// </summary>
public sealed class PristineData(string directory, ILogger log)
{
    private readonly SemaphoreSlim _making = new(1, 1);

    /// <summary>Copies the pristine data of <paramref name="datastore"/> <paramref name="version"/> into the server's
    /// directory, owned by the server's user; does nothing for a datastore without one, or when it cannot be made (the
    /// guest then runs initdb, as it always could).</summary>
    public async Task CopyIntoAsync(string datastore, string version, string serverDir, int uid, int gid, CancellationToken ct)
    {
        if (datastore != DatastoreProfiles.Postgres.Name || !File.Exists(PostgresInitdb.Tool(version)))
            return;
        try
        {
            var template = await TemplateAsync(version, ct);
            var copy = Path.Combine(serverDir, PostgresInitdb.PristineCopy);
            var engineDir = Path.GetDirectoryName(copy)!;
            Directory.CreateDirectory(engineDir);
            await Run("cp", ["-a", template, copy], ct);
            await Run("chown", ["-R", $"{uid}:{gid}", engineDir], ct);
            FileModes.Set(engineDir, FileModes.OwnerOnly);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("no pristine postgresql {Version} data for the server in {Dir} ({Error}); its guest runs initdb", version, serverDir, e.Message);
        }
    }

    private async Task<string> TemplateAsync(string version, CancellationToken ct)
    {
        var template = Path.Combine(directory, $"postgresql-{version}");
        if (Directory.Exists(template))
            return template;
        await _making.WaitAsync(ct);
        try
        {
            if (Directory.Exists(template))
                return template;
            Directory.CreateDirectory(directory);
            FileModes.Set(directory, FileModes.Searchable); // postgres reaches its own directory in it, nothing else
            var making = $"{template}.making-{Guid.NewGuid():N}";
            Directory.CreateDirectory(making);
            await Run("chown", ["postgres:", making], ct);
            await Run("runuser", ["-u", "postgres", "--", PostgresInitdb.Tool(version), .. PostgresInitdb.Args(making)], ct);
            try
            {
                Directory.Move(making, template);
            }
            catch (IOException) when (Directory.Exists(template))
            {
                Directory.Delete(making, recursive: true); // another node sharing the directory made it first
            }
            log.LogInformation("pristine postgresql {Version} data made in {Template}", version, template);
            return template;
        }
        finally
        {
            _making.Release();
        }
    }

    private static async Task Run(string tool, IReadOnlyList<string> args, CancellationToken ct)
    {
        var result = await HostCommand.RunAsync(tool, args, ct);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{tool} exited with {result.ExitCode}: {result.Error}");
    }
}
