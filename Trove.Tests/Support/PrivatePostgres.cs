using System.Security.Cryptography;

namespace Trove.Tests.Support;

/// <summary>A PostgreSQL server of a test's own (Debian's PostgreSQL 15 binaries, a fresh cluster in a temp dir, a free
/// loopback port, a random password), so that the test may stop and start it without touching the shared server
/// other tests use.</summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _dir;
    private readonly int _port;
    private readonly string _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private PrivatePostgres(string dir, int port)
    {
        _dir = dir;
        _port = port;
    }

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=trove;Password={_password};Database=postgres";

    /// <summary>A node's settings for journal, snapshots and read model on this server.</summary>
    public Dictionary<string, string> NodeSettings() => new()
    {
        ["Trove__DatabaseProvider"] = "PostgreSQL.15",
        ["Trove__JournalConnectionString"] = ConnectionString,
        ["Trove__ReadModelConnectionString"] = ConnectionString,
    };

    public static async Task<PrivatePostgres> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("trove-pg-").FullName;
        var server = new PrivatePostgres(dir, TroveNode.FreePort());
        var passwordFile = Path.Combine(dir, "password");
        await File.WriteAllTextAsync(passwordFile, server._password);
        await RunAsync("chown", "-R", "postgres:postgres", dir);
        await server.AsPostgresAsync($"{Bin}/initdb", "-D", server.DataDir, "-U", "trove", "--auth=scram-sha-256", $"--pwfile={passwordFile}");
        File.Delete(passwordFile);
        await server.StartAgainAsync();
        return server;
    }

    private string DataDir => Path.Combine(_dir, "data");

    public Task StartAgainAsync() => AsPostgresAsync($"{Bin}/pg_ctl", "-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-w",
        "-o", $"-p {_port} -k {_dir} -c listen_addresses=127.0.0.1", "start");

    /// <summary>Fast shutdown: open connections are cut, as when the database host goes away.</summary>
    public Task StopAsync() => AsPostgresAsync($"{Bin}/pg_ctl", "-D", DataDir, "-m", "fast", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); } catch (InvalidOperationException) { } // already stopped
        Directory.Delete(_dir, recursive: true);
    }

    private Task AsPostgresAsync(string program, params string[] args) => RunAsync("runuser", ["-u", "postgres", "--", program, .. args]);

    private static Task RunAsync(string program, params string[] args) => Programs.RunCheckedAsync(program, args);
}
