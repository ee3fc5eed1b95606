using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Trove.Contracts.Datastores;
using Trove.Contracts.Guests;
using Trove.Guest.Agent;
using Trove.Guest.Datastores;
using Trove.Tests.Support;

namespace Trove.Tests.Guest;

/// <summary>A plain create's guest (<see cref="GuestInfo.StartsEngineAtOnce"/>) starts its engine from the server's
/// pristine data while it connects, before its prepare arrives; the prepare then makes the tenant's database and user on
/// that engine, restarting nothing (the engine already has the flavor's memory). The guest runs in this process on the
/// real broker, its engine as the engine's OS user, as a local server's does.</summary>
[SupportedOSPlatform("linux")]
public sealed class GuestEngineAtOnceTests(PristinePostgresData postgres, PristineMariaDbData mariaDb)
    : IAsyncLifetime, IClassFixture<PristinePostgresData>, IClassFixture<PristineMariaDbData>
{
    private readonly string _dir = $"/tmp/tg-{Guid.NewGuid().ToString("N")[..8]}"; // short: the engine's socket is in it
    private TestBroker _broker = null!;
    private GuestAgent? _agent;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir).UnixFileMode = (UnixFileMode)0b111_101_101;
        _broker = await TestBroker.StartAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_agent is not null)
                await _agent.StopAsync(CancellationToken.None); // stops its engine
        }
        finally
        {
            await EngineProcesses.KillLeftoversAsync(_dir, NullLogger.Instance, CancellationToken.None); // of a failed test
            Directory.Delete(_dir, recursive: true);
            await _broker.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("postgresql", "15")]
    [InlineData("mariadb", "10.11")]
    public async Task A_plain_creates_engine_runs_before_its_prepare_arrives_and_the_prepare_restarts_nothing(string datastore, string version)
    {
        await (datastore == DatastoreProfiles.Postgres.Name ? postgres.CopyIntoAsync(_dir) : mariaDb.CopyIntoAsync(_dir));
        var (id, credentials) = await _broker.NewGuestAsync();
        var info = new GuestInfo(id, datastore, version, TroveNode.FreePort(), _dir, credentials.UriOn(_broker.Settings.Uri),
            _broker.Settings.Exchange, _broker.Settings.ConductorQueue, 1, Path.Combine(_dir, "backups"), VolumeSize: 1, RamMb: 512,
            Address: "127.0.0.1", StartsEngineAtOnce: true);
        var profile = DatastoreProfiles.Of(datastore);
        var manager = DatastoreRegistration.Managers[profile](info, NullLoggerFactory.Instance);
        _agent = new GuestAgent(info, manager, new GuestDispatcher(manager),
            new BackupRunner(manager, profile, new GuestBackupFiles(info.BackupDirectory, _dir)),
            new EngineWatchdog(manager, NullLogger<EngineWatchdog>.Instance), NullLogger<GuestAgent>.Instance);
        await _agent.StartAsync(CancellationToken.None);

        await Poll.UntilAsync(async () => await manager.GetStatusAsync(CancellationToken.None) == ServiceStatusNames.Healthy,
            "the engine to run with no prepare sent");
        var engine = EnginePid(datastore);

        await _broker.PublishAsync(_broker.Node, TroveBroker.GuestQueue(id), RpcMessage.Create(GuestMethods.Prepare,
            new PrepareArgs([new DatabaseSpec("appdb")], [new UserSpec("app", "at-once-pw-1", null, [new UserDatabase("appdb")])])));
        await WaitForHealthyReportAsync(id);
        Assert.Contains("appdb", (await manager.ListDatabasesAsync(CancellationToken.None)).Select(d => d.Name));
        Assert.Equal(engine, EnginePid(datastore));
    }

    /// <summary>The engine's main process, as its own pid file names it.</summary>
    private string EnginePid(string datastore) => File.ReadLines(datastore == DatastoreProfiles.Postgres.Name
        ? Path.Combine(_dir, "postgres", "data", "postmaster.pid")
        : Path.Combine(_dir, "mariadb", "mysqld.pid")).First().Trim();

    /// <summary>Until the guest reports its prepared engine healthy on the conductor queue.</summary>
    private async Task WaitForHealthyReportAsync(string id)
    {
        await using var channel = await _broker.Node.OpenChannelAsync(confirms: false);
        await Poll.UntilAsync(async () =>
                await channel.BasicGetAsync(_broker.Settings.ConductorQueue, autoAck: true) is { } got
                && RpcMessage.Parse(got.Body) is { Method: GuestMethods.Heartbeat } heartbeat
                && heartbeat.ArgsAs<HeartbeatArgs>() is { Payload.ServiceStatus: ServiceStatusNames.Healthy } args && args.InstanceId == id,
            "the guest's healthy report after its prepare");
    }
}
