using Microsoft.Extensions.Logging.Abstractions;
using Trove.Actors.Compute;
using Trove.Contracts.Datastores;

namespace Trove.Tests.Guest;

/// <summary>
/// The node's pristine data (<see cref="PristineData"/>: one initdb or MariaDB install per version, copied into each
/// server's directory), made once for a class of manager tests: each test's server then comes with it, as a local
/// server does, and its prepare takes the copy instead of initialising (~5 s of each test under load). Tests of the
/// initialisation itself remove it.
/// </summary>
public abstract class PristineEngineData(string datastore, string version, string engineUser) : IAsyncLifetime
{
    private readonly string _directory = $"/tmp/tg-pristine-{Guid.NewGuid().ToString("N")[..8]}";
    private PristineData _pristine = null!;

    public Task InitializeAsync()
    {
        _pristine = new PristineData(_directory, NullLogger.Instance);
        return Task.CompletedTask;
    }

    /// <summary>Copies the pristine data into <paramref name="serverDir"/>, owned by the engine's OS user (the manager's own
    /// when it runs as root); the first call makes it.</summary>
    public Task CopyIntoAsync(string serverDir)
    {
        var (uid, gid) = ServerUsers.IdsOf(engineUser) ?? throw new InvalidOperationException($"no {engineUser} user");
        return _pristine.CopyIntoAsync(datastore, version, serverDir, Task.FromResult((uid, gid)), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _pristine.DisposeAsync(); // a copy being made ahead writes into the directory
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }
}

public sealed class PristinePostgresData() : PristineEngineData(DatastoreProfiles.Postgres.Name, "15", "postgres");

public sealed class PristineMariaDbData() : PristineEngineData(DatastoreProfiles.MariaDb.Name, "10.11", "mysql");
