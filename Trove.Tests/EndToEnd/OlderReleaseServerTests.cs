using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MySqlConnector;
using Trove.Actors.Broker;
using Microsoft.Extensions.Logging.Abstractions;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Contracts.Guests;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>
/// A server made before guests had broker and OS users of their own (d88d1e5 and older): its guest runs as root with
/// the node's broker user, which this release's conductor and RPC client refuse, and its engine runs as the engine's
/// system user. Upgraded to this release, the node adopts it: the guest restarts as the server's own OS and broker
/// user, answers calls again, and the tenant's data is all there.
/// </summary>
[Collection("second-node")]
public sealed class OlderReleaseServerTests
{
    private static readonly Dictionary<string, string> FastReconcile = new()
    {
        ["Trove__Reconcile__Every"] = "00:00:01",
        ["Trove__Reconcile__RestartGrace"] = "00:00:01",
        ["Trove__Instances__HeartbeatExpiry"] = "00:00:05", // HEALTHY only from the adopted guest's own heartbeats
    };

    [Theory]
    [InlineData("postgresql", "15")]
    [InlineData("mariadb", "10.11")]
    public async Task A_server_an_older_release_made_is_adopted_and_serves_its_data_again(string datastore, string version)
    {
        var dataDir = TroveNode.NewDataDir();
        var node = await TroveNode.StartAsync(dataDir); // stopped, not disposed: the upgraded node takes its data dir over
        string id;
        try
        {
            id = (string)(await node.CreateInstanceAsync("demo", CreateBody($"older-{datastore}", datastore, version)))["id"]!;
            var active = await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120));
            await EngineClient.ScalarAsync(active, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");
            await node.StopAsync();
            await MakeAsOlderReleaseDidAsync(node.ServersDir, id, datastore);
        }
        catch
        {
            await node.DisposeAsync(); // its guests, servers and users go with it
            throw;
        }

        await using var upgraded = await TroveNode.StartAsync(dataDir, FastReconcile);
        var dir = Path.Combine(upgraded.ServersDir, id);
        var (uid, _) = ServerUsers.IdsOf(ServerUsers.NameOf(id)) ?? throw new Xunit.Sdk.XunitException("no OS user for the server");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!(GuestInfoUser(dir) == TroveBroker.GuestUser(id) && GuestPidOrNull(dir) is { } pid && ProcessUid(pid) == uid
                 && await OperatingStatusAsync(upgraded, id) == "HEALTHY"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"server {id} was not adopted; see {upgraded.DataDir}/node.log and {dir}/guest.log");
            await Task.Delay(500);
        }
        foreach (var pid in upgraded.ProcessesInServers(id)) // the engine too
            Assert.True(ProcessUid(pid) == uid, $"{File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')} runs as uid {ProcessUid(pid)}");

        // another node's adopter that listed the server before it was adopted comes late: it must not disconnect the new guest
        var late = new LocalCompute(new LocalComputeSettings
        {
            ServersDirectory = upgraded.ServersDir, BackupDirectory = Path.Combine(dataDir, "backups"),
            GuestCommand = ["true"], AmqpUri = "amqp://127.0.0.1", Exchange = "trove", ConductorQueue = "trove-conductor",
        }, NullLogger<LocalCompute>.Instance);
        var disconnected = false;
        await late.AdoptServerAsync(id, new GuestCredentials(TroveBroker.GuestUser(id), "unused"), () => { disconnected = true; return Task.CompletedTask; },
            CancellationToken.None);
        Assert.False(disconnected, "a late adoption disconnected the adopted guest");

        var client = upgraded.Client("demo");
        var created = await client.PostAsJsonAsync($"v1.0/demo/instances/{id}/databases", new { databases = new[] { new { name = "after_adoption" } } });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var listed = await client.GetFromJsonAsync<JsonObject>($"v1.0/demo/instances/{id}/databases");
        Assert.Equal(["after_adoption", "appdb"], listed!["databases"]!.AsArray().Select(d => (string)d!["name"]!).Order());
        var shown = await upgraded.ShowAsync("demo", id);
        Assert.Equal(7, Convert.ToInt32(await EngineClient.ScalarAsync(shown!, "SELECT n FROM kept")));
    }

    private static object CreateBody(string name, string datastore, string version) => new
    {
        instance = new
        {
            name,
            flavorRef = "small",
            volume = new { size = 1 },
            datastore = new { type = datastore, version },
            databases = new[] { new { name = "appdb" } },
            users = new[] { new { name = "app", password = EngineClient.AppPassword, databases = new[] { new { name = "appdb" } } } },
        },
    };

    /// <summary>Turns a server this release made into one as d88d1e5 made them: its directory root's, its engine's data the
    /// engine's system user's, its guest info naming the node's broker user, its guest run as root (which runs the engine
    /// as that system user), and for MariaDB no socket account but root's.</summary>
    private static async Task MakeAsOlderReleaseDidAsync(string serversDir, string id, string datastore)
    {
        var dir = Path.Combine(serversDir, id);
        var guest = GuestPid(dir);
        var command = File.ReadAllText($"/proc/{guest}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var environment = File.ReadAllText($"/proc/{guest}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1]);
        Programs.Signal(guest, "TERM");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (IsAlive(guest))
        {
            Assert.True(DateTime.UtcNow < deadline, $"guest {guest} did not stop");
            await Task.Delay(100);
        }

        var (engineDir, systemUser) = datastore == "mariadb" ? ("mariadb", "mysql") : ("postgres", "postgres");
        await Programs.RunCheckedAsync("chown", ["-R", "root:root", dir]);
        await Programs.RunCheckedAsync("chown", ["-R", $"{systemUser}:{systemUser}", Path.Combine(dir, engineDir)]);
        await Programs.RunCheckedAsync("chmod", ["755", dir]);
        var infoPath = Path.Combine(dir, "guest_info.json");
        var info = JsonNode.Parse(File.ReadAllText(infoPath))!;
        info["amqp_uri"] = NodeBrokerUri.Value;
        File.WriteAllText(infoPath, info.ToJsonString());

        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = dir, UseShellExecute = false };
        start.Environment.Clear();
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        foreach (var arg in new[] { "-c", "exec setsid -f \"$@\" >>guest.log 2>&1 </dev/null", "sh" }.Concat(command))
            start.ArgumentList.Add(arg);
        Process.Start(start)!.WaitForExit();
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(GuestPidOrNull(dir) is { } root && root != guest && ProcessUid(root) == 0 && await EngineAnswersAsync(dir, datastore)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the root guest in {dir} did not start its engine; see {dir}/guest.log");
            await Task.Delay(200);
        }
        if (datastore == "mariadb")
        {
            await using var db = await MariaRootAsync(dir);
            await using var drop = new MySqlCommand($"DROP USER '{ServerUsers.NameOf(id)}'@'localhost'", db);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task<bool> EngineAnswersAsync(string dir, string datastore)
    {
        if (datastore != "mariadb")
            return File.Exists(Path.Combine(dir, "postgres", "data", "postmaster.pid"));
        try
        {
            await using var _ = await MariaRootAsync(dir);
            return true;
        }
        catch (MySqlException)
        {
            return false;
        }
    }

    private static async Task<MySqlConnection> MariaRootAsync(string dir)
    {
        var db = new MySqlConnection(new MySqlConnectionStringBuilder
        {
            Server = Path.Combine(dir, "mariadb", "mysqld.sock"), ConnectionProtocol = MySqlConnectionProtocol.UnixSocket, UserID = "root",
            Pooling = false, ConnectionTimeout = 5,
        }.ConnectionString);
        await db.OpenAsync();
        return db;
    }

    private static async Task<string> OperatingStatusAsync(TroveNode node, string id) =>
        (string?)(await node.ShowAsync("demo", id))?["operating_status"] ?? "";

    private static string GuestInfoUser(string dir) =>
        Uri.UnescapeDataString(new Uri((string)JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "guest_info.json")))!["amqp_uri"]!).UserInfo.Split(':')[0]);

    private static int GuestPid(string dir) => GuestPidOrNull(dir) ?? throw new Xunit.Sdk.XunitException($"no guest runs in {dir}");

    private static int? GuestPidOrNull(string dir) =>
        int.TryParse(File.ReadAllText(Path.Combine(dir, "guest.pid")).Trim(), out var pid) && IsAlive(pid) ? pid : null;

    /// <summary>Running and not a zombie: the root guest this test started is nobody's child to reap.</summary>
    private static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/status") && !File.ReadLines($"/proc/{pid}/status").Any(l => l.StartsWith("State:") && l.Contains("zombie"));

    private static int ProcessUid(int pid) =>
        int.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
}
