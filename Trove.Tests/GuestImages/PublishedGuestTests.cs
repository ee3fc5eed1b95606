using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Trove.Amqp;
using Trove.Contracts.Guests;
using Trove.Guest.Datastores;
using Trove.Tests.Support;

namespace Trove.Tests.GuestImages;

/// <summary>The guest as an image carries it: scripts/publish-guest's single file, started as root from a config drive
/// made of the user data a cloud server gets, with no .NET to run on, serving its queue on the real broker.</summary>
[Collection(PublishedGuest.Collection)]
[SupportedOSPlatform("linux")]
public sealed class PublishedGuestTests(PublishedGuest published) : IAsyncLifetime
{
    private TestBroker _broker = null!;
    private readonly string _vm = Path.Combine(Path.GetTempPath(), $"tvm-{Guid.NewGuid():N}"[..12]);
    private string Directory => Path.Combine(_vm, "var-lib-trove-guest"); // GuestImage.ServerDirectory on a VM

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        System.IO.Directory.CreateDirectory(_vm);
    }

    public async Task DisposeAsync()
    {
        await EngineProcesses.KillLeftoversAsync(_vm, NullLogger.Instance, CancellationToken.None); // of a failed test
        System.IO.Directory.Delete(_vm, recursive: true);
        await _broker.DisposeAsync();
    }

    [Fact]
    public void The_image_folder_holds_the_executable_its_unit_and_the_readme_and_no_dotnet_files()
    {
        Assert.Equal(["README.md", "trove-guest", "trove-guest.service"],
            System.IO.Directory.GetFiles(published.Directory).Select(Path.GetFileName).Order());
        Assert.True(File.GetUnixFileMode(published.Executable).HasFlag(UnixFileMode.UserExecute));
        var unit = File.ReadAllText(published.Unit);
        Assert.Contains("ExecStart=/usr/local/bin/trove-guest\n", unit);
        Assert.Contains("Restart=always\n", unit);
        Assert.Contains("StateDirectory=trove-guest\n", unit); // GuestImage.ServerDirectory
        Assert.Contains("scripts/publish-guest", File.ReadAllText(Path.Combine(published.Directory, "README.md")));
    }

    /// <summary>systemd's own check of the unit, installed with the executable in an image's root (this machine's systemd
    /// units standing for the image's): no unknown key or value, and an executable where ExecStart says.</summary>
    [Fact]
    public async Task Systemd_finds_the_unit_valid_once_installed_in_an_image()
    {
        var root = Path.Combine(_vm, "image");
        System.IO.Directory.CreateDirectory(Path.Combine(root, "usr", "local", "bin"));
        System.IO.Directory.CreateDirectory(Path.Combine(root, "etc", "systemd", "system"));
        System.IO.Directory.CreateDirectory(Path.Combine(root, "usr", "lib", "systemd"));
        await ProcessRunner.RunCheckedAsync("ln", [published.Executable, Path.Combine(root, "usr", "local", "bin", "trove-guest")], CancellationToken.None);
        File.Copy(published.Unit, Path.Combine(root, "etc", "systemd", "system", "trove-guest.service"));
        await ProcessRunner.RunCheckedAsync("cp", ["-r", "/usr/lib/systemd/system", Path.Combine(root, "usr", "lib", "systemd")], CancellationToken.None);

        var result = await ProcessRunner.RunAsync("systemd-analyze", ["verify", "--man=no", $"--root={root}", "trove-guest.service"], CancellationToken.None);
        Assert.True(result.ExitCode == 0 && result.Error.Trim() == "", result.Output + result.Error);
    }

    [Fact]
    public async Task Started_from_a_config_drive_it_makes_its_directory_and_answers_rpc_ping_without_dotnet()
    {
        var (id, guest) = await StartAsync(5432, GuestImage.EveryAddress); // the engine does not start before prepare
        await using var _ = guest;
        await using var publisher = new AmqpPublisher(_broker.Node);
        await using var rpc = await AmqpRpcClient.CreateAsync(_broker.Node, publisher,
            new AmqpRpcSettings(_broker.Settings.ReplyExchange, TroveBroker.NewReplyQueue()), NullLogger.Instance);
        IncomingMessage reply;
        try
        {
            reply = await rpc.CallAsync(_broker.To(TroveBroker.GuestQueue(id), RpcMessage.Create(GuestMethods.RpcPing, new { })),
                TimeSpan.FromSeconds(60), TroveBroker.GuestUser(id));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the published guest did not answer rpc_ping; its log:\n{await File.ReadAllTextAsync(guest.Log)}");
        }
        Assert.Equal("true", RpcReply.Parse(reply.Body).Result?.ToJsonString());

        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Directory));
        var dotnet = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        var maps = await File.ReadAllTextAsync($"/proc/{guest.Process.Id}/maps");
        Assert.DoesNotContain(dotnet, maps); // the runtime it runs on is its own, inside the single file
        Assert.Contains(published.Executable, maps);
    }

    [Fact]
    public async Task Without_its_configuration_it_says_what_is_missing_in_one_line_and_exits_2()
    {
        var missing = Path.Combine(_vm, "openstack-drive-not-mounted");
        await using var guest = published.Start(Path.Combine(_vm, "guest.log"), "--config-drive", missing);
        await guest.Process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(2, guest.Process.ExitCode);
        var line = Assert.Single(File.ReadAllLines(guest.Log));
        Assert.StartsWith("trove-guest: ", line);
        Assert.Contains(GuestImage.ConfigDriveUserData(missing), line);
    }

    /// <summary>As root, as on a VM: prepare makes a real PostgreSQL, run as the postgres OS user, that a tenant reaches,
    /// and the guest reports it healthy to the conductor queue.</summary>
    [Fact]
    public async Task As_root_it_prepares_a_postgresql_run_by_the_postgres_user_and_reports_it_healthy()
    {
        var port = TroveNode.FreePort();
        var (id, guest) = await StartAsync(port, "127.0.0.1");
        await using var _ = guest;
        const string password = "published-guest-pw";
        await _broker.PublishAsync(_broker.Node, TroveBroker.GuestQueue(id), RpcMessage.Create(GuestMethods.Prepare,
            new PrepareArgs([new DatabaseSpec("appdb")], [new UserSpec("app", password, null, [new UserDatabase("appdb")])])));

        await WaitForHealthyHeartbeatAsync(id, guest);
        await using (var db = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=app;Password={password};Database=appdb;Pooling=false;Timeout=5"))
        {
            await db.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT current_database()", db);
            Assert.Equal("appdb", await query.ExecuteScalarAsync());
        }
        var engine = Assert.Single(EngineProcesses.In(Directory).Where(pid => CommandLineOf(pid).StartsWith("/usr/lib/postgresql/")));
        var uid = File.ReadLines($"/proc/{engine}/status").Single(l => l.StartsWith("Uid:")).Split('\t')[1];
        Assert.Equal((await ProcessRunner.RunCheckedAsync("id", ["-u", "postgres"], CancellationToken.None)).Trim(), uid);
    }

    /// <summary>A process's command line; empty for one that ended meanwhile (a backend of a closed connection).</summary>
    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or IOException)
        {
            return "";
        }
    }

    /// <summary>A guest started from a config drive of the user data a cloud server would get, its engine on
    /// <paramref name="port"/> of <paramref name="address"/>, its directory not made yet.</summary>
    private async Task<(string Id, RunningGuest Guest)> StartAsync(int port, string address)
    {
        var (id, credentials) = await _broker.NewGuestAsync();
        var info = new GuestInfo(id, "postgresql", "15", port, Directory, credentials.UriOn(_broker.Settings.Uri),
            _broker.Settings.Exchange, _broker.Settings.ConductorQueue, 1, Path.Combine(_vm, "backups"), 1, 512, address);
        return (id, published.StartFromConfigDrive(_vm, GuestUserData.Render(info)));
    }

    private async Task WaitForHealthyHeartbeatAsync(string id, RunningGuest guest)
    {
        await using var channel = await _broker.Node.OpenChannelAsync(confirms: false);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (await channel.BasicGetAsync(_broker.Settings.ConductorQueue, autoAck: true) is { } got
                && RpcMessage.Parse(got.Body) is { Method: GuestMethods.Heartbeat } heartbeat
                && heartbeat.ArgsAs<HeartbeatArgs>() is { Payload.ServiceStatus: ServiceStatusNames.Healthy } args)
            {
                Assert.Equal(id, args.InstanceId);
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"no healthy heartbeat from the published guest; its log:\n{await File.ReadAllTextAsync(guest.Log)}");
    }
}
