using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The soak's one ERROR, made on purpose: a guest killed with SIGKILL while its build initialises the engine
/// (initdb, mariadb-install-db), then the processes it left working in its server killed too. The reconciler starts
/// the guest again, whose prepare makes the engine's data again: the instance ends ACTIVE and HEALTHY, with its
/// database and user.</summary>
[Collection("second-node")]
public sealed class GuestKilledDuringPrepareTests(GuestKilledDuringPrepareTests.FastReconcileNode fixture)
    : IClassFixture<GuestKilledDuringPrepareTests.FastReconcileNode>
{
    /// <summary>The class's node, shared by its facts: each kills only what its own instance's server runs.</summary>
    public sealed class FastReconcileNode : NodeFixture
    {
        protected override IDictionary<string, string> Settings { get; } = new Dictionary<string, string>
        {
            ["Trove__Reconcile__Every"] = "00:00:01",
            ["Trove__Reconcile__RestartGrace"] = "00:00:01",
            ["Trove__Instances__HeartbeatExpiry"] = "00:00:05",
            ["Trove__Compute__PristineData"] = "false", // the guest runs initdb itself, as on a cloud's server: the window killed in
        };
    }

    [Theory]
    [InlineData("postgresql")]
    [InlineData("mariadb")]
    public async Task A_guest_killed_while_it_initialises_its_engine_is_started_again_and_the_build_ends_active(string datastore)
    {
        var node = fixture.Node;
        var body = datastore == "mariadb" ? MariaDbInstanceTests.CreateBody("maria-prepare-kill") : PostgresInstanceTests.CreateBody("pg-prepare-kill");
        var id = (string)(await node.CreateInstanceAsync("demo", body))["id"]!;
        var server = Path.Combine(node.ServersDir, id);
        // Half-made data: the init tool has begun writing the engine's data directory, and is still at it.
        var (tool, written) = datastore == "mariadb" ? ("mariadb-install-db", "mysql") : ("initdb", "PG_VERSION");
        await KilledGuest.WaitUntilAsync(() => Initialising(node, id, tool) && KilledGuest.Exists(server, written), $"{tool} to write {written}; see {node.DataDir}/node.log");
        var guest = node.GuestPid(id);

        Programs.Signal(guest, "KILL");
        foreach (var left in node.ProcessesInServers(id).Where(p => p != guest))
            Programs.Signal(left, "KILL");
        var killed = Stopwatch.StartNew();

        try
        {
            var active = await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(180));
            await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(60));
            Assert.NotEqual(guest, node.GuestPid(id));
            Assert.Equal(1L, Convert.ToInt64(await QueryAsAppAsync(active, "SELECT 1"))); // its user, in its database
            Console.WriteLine($"{datastore}: guest killed while initialising, ACTIVE and HEALTHY {killed.Elapsed.TotalSeconds:0.0} s later");
        }
        catch
        {
            KeepLogs(server);
            node.KeepLog = true;
            throw;
        }
    }

    /// <summary>The soak's two ERRORs of its second run: the engine (not the guest) killed while prepare creates the build's
    /// databases. Prepare runs again on an engine started again, as the watchdog does for a prepared instance.</summary>
    [Fact]
    public async Task An_engine_killed_while_prepare_creates_databases_is_started_again_and_the_build_ends_active()
    {
        var node = fixture.Node;
        var databases = Enumerable.Range(1, 12).Select(i => new { name = $"db{i}" }).ToArray(); // a window of seconds
        var body = new
        {
            instance = new
            {
                name = "pg-prepare-engine-kill", flavorRef = "small", volume = new { size = 1 },
                datastore = new { type = "postgresql", version = "15" }, databases,
                users = new[] { new { name = "app", password = PostgresInstanceTests.Password, databases = new[] { new { name = "db1" } } } },
            },
        };
        var id = (string)(await node.CreateInstanceAsync("demo", body))["id"]!;
        var server = Path.Combine(node.ServersDir, id);
        var pidFile = Path.Combine(server, "postgres", "data", "postmaster.pid");
        var engine = 0; // postmaster.pid is written in steps: its first line may not be there yet
        // A plain create's engine starts before its prepare: the prepare is under way once it has made a first database
        // (a directory of base/ beside initdb's three).
        var databaseDirs = Path.Combine(server, "postgres", "data", "base");
        await KilledGuest.WaitUntilAsync(() => Directory.Exists(databaseDirs) && Directory.GetDirectories(databaseDirs).Length > 3
                && File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out engine),
            $"the prepare to make a first database; see {node.DataDir}/node.log");
        Programs.Signal(engine, "KILL");

        try
        {
            var active = await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(180));
            await node.WaitForOperatingStatusAsync("demo", id, "HEALTHY", TimeSpan.FromSeconds(60));
            Assert.Contains("the engine stopped during prepare", await File.ReadAllTextAsync(Path.Combine(server, "guest.log")));
            var listed = await node.Client("demo").GetFromJsonAsync<JsonObject>($"v1.0/demo/instances/{id}/databases");
            Assert.Equal(databases.Length, listed!["databases"]!.AsArray().Count);
        }
        catch
        {
            KeepLogs(server);
            node.KeepLog = true;
            throw;
        }
    }

    /// <summary>The guest's and the engine's logs outlive the server's directory, for whoever reads a failure.</summary>
    private static void KeepLogs(string server)
    {
        var kept = Directory.CreateDirectory(Path.Combine("/tmp/trove-test-logs", Path.GetFileName(server))).FullName;
        foreach (var log in Directory.EnumerateFiles(server, "*.log", SearchOption.AllDirectories))
            File.Copy(log, Path.Combine(kept, Path.GetRelativePath(server, log).Replace('/', '_')), overwrite: true);
    }

    private static Task<object?> QueryAsAppAsync(JsonObject instance, string sql) =>
        (string?)instance["datastore"]!["type"] == "mariadb"
            ? EngineClient.ScalarAsync(instance, sql, "app", MariaDbInstanceTests.Password, "app_db")
            : EngineClient.ScalarAsync(instance, sql);

    private static bool Initialising(TroveNode node, string id, string tool) =>
        node.ProcessesInServers(id).Any(pid => CommandLine(pid).Contains(tool));

    private static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (Exception) { return ""; }
    }

}
