using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Trove.Actors.Admin;
using Trove.Actors.Compute;
using Trove.Contracts.Admin;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Tests.Support;

/// <summary>
/// A real control-plane node in its own process (the same Trove.Web.dll that scripts/run starts), on a free port
/// and its own data dir and conductor queue, so that nodes of parallel tests do not see each other's guests.
/// </summary>
public sealed class TroveNode : IAsyncDisposable
{
    /// <summary>The built-in users of a test node: each one's password and project are its name; admin has the admin role.</summary>
    public static readonly string[] TestProjects = ["demo", "admin", "other", "validation", "race", "bigvolume", "ratelimited", "someone-else", "typed", "backup-quota", "monotonic", "events"];

    private readonly Process _process;
    private readonly Dictionary<string, HttpClient> _clients = new();
    public string DataDir { get; }

    /// <summary>A client logged in as demo, for project demo's routes.</summary>
    public HttpClient Http => Client("demo");
    public Uri BaseAddress { get; }

    public int AdminPort { get; }
    public string ServersDir { get; }
    public int ProcessId => _process.Id;

    private TroveNode(Process process, string dataDir, int port, int adminPort, string serversDir)
    {
        _process = process;
        DataDir = dataDir;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        AdminPort = adminPort;
        ServersDir = serversDir;
    }

    /// <summary>Where the node keeps the admin token it made (0600), which every admin caller presents.</summary>
    public string AdminTokenFile => Path.Combine(DataDir, AdminToken.FileName);

    /// <summary>Runs one <c>trove-admin</c> command against this node's admin endpoint, with its token.</summary>
    public Task<AdminResponse> AdminAsync(params string[] args) =>
        AdminClient.SendAsync("127.0.0.1", AdminPort, args, AdminToken.Read(AdminTokenFile));

    /// <summary>An anonymous client: no token.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A client logged in as the test user of <paramref name="project"/> (see <see cref="TestProjects"/>).</summary>
    public HttpClient Client(string project)
    {
        lock (_clients)
        {
            if (_clients.TryGetValue(project, out var client))
                return client;
            client = Anonymous();
            client.DefaultRequestHeaders.Add("X-Auth-Token", LoginAsync(project, project, project).GetAwaiter().GetResult());
            return _clients[project] = client;
        }
    }

    /// <summary>A token from the node's built-in identity service.</summary>
    public async Task<string> LoginAsync(string user, string password, string project)
    {
        using var anonymous = Anonymous();
        // ConfigureAwait(false): Client() waits on this synchronously.
        var response = await anonymous.PostAsJsonAsync("v3/auth/tokens", LoginBody(user, password, project)).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return response.Headers.GetValues("X-Subject-Token").Single();
    }

    public static object LoginBody(string user, string password, string project) => new
    {
        auth = new
        {
            identity = new { methods = new[] { "password" }, password = new { user = new { name = user, domain = new { id = "default" }, password } } },
            scope = new { project = new { name = project, domain = new { id = "default" } } },
        },
    };

    /// <summary>A fresh data dir under /tmp: short, so the engines' socket paths stay short, and searchable by the servers'
    /// OS users whatever this process's umask (a node hosted in it by another test sets 077).</summary>
    public static string NewDataDir()
    {
        var dir = Directory.CreateDirectory($"/tmp/trove-t-{Guid.NewGuid().ToString("N")[..8]}");
        dir.UnixFileMode = (UnixFileMode)0b111_001_001;
        return dir.FullName;
    }

    /// <summary>The node the tests start: the one <c>TROVE_NODE_DLL</c> names, which scripts/test publishes ReadyToRun
    /// once per run as scripts/run does (its nodes and their guests then run on about a third less CPU than JIT-compiled:
    /// bench/results.md, 2026-12-07 "the tests' nodes"), else the one built beside the tests.</summary>
    public static string NodeDll { get; } = Environment.GetEnvironmentVariable("TROVE_NODE_DLL") is { Length: > 0 } published
        ? published
        : Path.Combine(AppContext.BaseDirectory, "Trove.Web.dll");

    /// <summary>The pristine data directory the run's nodes share (<c>Trove:Compute:PristineDirectory</c>), which
    /// scripts/test makes once per run and removes at its end (<c>TROVE_TEST_PRISTINE_DIR</c>): a node's first create of
    /// a version copies the templates another node made, where each made its own (initdb ~1 CPU-s, the MariaDB install
    /// ~0.5, the first copies made ahead); else each node makes its own beside its servers.</summary>
    public static string? SharedPristineDirectory { get; } =
        Environment.GetEnvironmentVariable("TROVE_TEST_PRISTINE_DIR") is { Length: > 0 } shared ? shared : null;

    /// <summary>Starts a node; <paramref name="settings"/> (environment variables) may fix its ports
    /// (<c>TROVE_HTTP_PORT</c>, <c>Trove__Admin__Port</c>) and servers directory, otherwise they are its own.</summary>
    public static async Task<TroveNode> StartAsync(string dataDir, IDictionary<string, string>? settings = null)
    {
        settings ??= new Dictionary<string, string>();
        var port = settings.TryGetValue("TROVE_HTTP_PORT", out var fixedPort) ? int.Parse(fixedPort) : FreePort();
        var adminPort = settings.TryGetValue("Trove__Admin__Port", out var fixedAdmin) ? int.Parse(fixedAdmin) : FreePort();
        var serversDir = settings.TryGetValue("Trove__ServersDirectory", out var servers) ? servers : Path.Combine(dataDir, "servers");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(NodeDll),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(NodeDll);
        start.Environment["TROVE_DATA_DIR"] = dataDir;
        start.Environment["TROVE_HTTP_PORT"] = port.ToString();
        start.Environment["Trove__Admin__Port"] = adminPort.ToString();
        start.Environment["Trove__Amqp__ConductorQueue"] = ConductorQueueOf(dataDir);
        start.Environment["Trove__GuestHeartbeatIntervalSeconds"] = "1";
        start.Environment["Trove__RateLimitPerMinute"] = "0"; // tests poll fast; the rate limit has its own test
        start.Environment["Trove__Auth__TokenIssuePerMinute"] = "0"; // tests log in often; the token-issue limit has its own test
        // A thread-pool worker that runs out of work spins (sched_yield) before it sleeps: in a node that mostly waits on
        // its test, as most do, that spinning was a third of its CPU, on 2 cores that the suite's other nodes, guests and
        // engines need. Without it a worker sleeps at once and is woken by the next item (bench/results.md 2026-12-07).
        start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        // A test's node lives for seconds to a minute: profile-guided tiering (its hot ReadyToRun methods compiled again
        // with counters, then a third time) was 3-4 CPU-s of its first 20 s, for code faster only after the test is over.
        start.Environment["DOTNET_TieredPGO"] = "0";
        for (var i = 0; i < TestProjects.Length; i++)
        {
            start.Environment[$"Trove__Auth__Users__{i}__Name"] = TestProjects[i];
            start.Environment[$"Trove__Auth__Users__{i}__Password"] = TestProjects[i];
            start.Environment[$"Trove__Auth__Users__{i}__Project"] = TestProjects[i];
            start.Environment[$"Trove__Auth__Users__{i}__Roles__0"] = TestProjects[i] == "admin" ? "admin" : "member";
        }
        if (SharedPristineDirectory is { } pristine)
            start.Environment["Trove__Compute__PristineDirectory"] = pristine;
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        var log = File.AppendText(Path.Combine(dataDir, "node.log")); // before the process: a missing data dir leaves none running
        var process = Process.Start(start)!;
        log.AutoFlush = true;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var node = new TroveNode(process, dataDir, port, adminPort, serversDir) { OwnsConductorQueue = !settings.ContainsKey("Trove__Amqp__ConductorQueue") };
        using var probe = node.Anonymous();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the node exited with {process.ExitCode}; see {dataDir}/node.log");
            try
            {
                if ((await probe.GetAsync("/")).StatusCode == HttpStatusCode.OK)
                    return node;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline)
            {
                process.Kill(entireProcessTree: true); // not left running after its test; its log stays for the reader
                throw new TimeoutException($"the node did not answer; see {dataDir}/node.log");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGTERM, as an operator's Ctrl-C or a deploy sends: coordinated shutdown, guests left running.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
            return;
        Programs.Signal(_process.Id, "TERM");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await _process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { _process.Kill(); }
    }

    /// <summary>Waits for the node's process to end by itself (e.g. after it left the cluster).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cancel.Token); return true; }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>SIGKILL: the node dies at once, as in a crash; its guests keep running.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
            return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async Task<JsonObject> CreateInstanceAsync(string tenant, object body)
    {
        var response = await Client(tenant).PostAsJsonAsync($"v1.0/{tenant}/instances", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["instance"]!.AsObject();
    }

    public async Task<JsonObject> CreateBackupAsync(string tenant, string instanceId, string name)
    {
        var response = await Client(tenant).PostAsJsonAsync($"v1.0/{tenant}/backups", new { backup = new { name, instance = instanceId } });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["backup"]!.AsObject();
    }

    public async Task<JsonObject> WaitForBackupAsync(string tenant, string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var backup = (await Client(tenant).GetFromJsonAsync<JsonObject>($"v1.0/{tenant}/backups/{id}"))!["backup"]!.AsObject();
            if ((string?)backup["status"] == status)
                return backup;
            if ((string?)backup["status"] == "FAILED" || DateTime.UtcNow > deadline)
                throw new TimeoutException($"backup {id} is {backup.ToJsonString()}, not {status}; see {DataDir}/node.log");
            await Task.Delay(100);
        }
    }

    public async Task<JsonObject?> ShowAsync(string tenant, string id)
    {
        var response = await Client(tenant).GetAsync($"v1.0/{tenant}/instances/{id}");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["instance"]!.AsObject();
    }

    public async Task<JsonObject> WaitForStatusAsync(string tenant, string id, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var instance = await ShowAsync(tenant, id) ?? throw new InvalidOperationException($"instance {id} is gone");
            if ((string?)instance["status"] == status)
                return instance;
            if ((string?)instance["status"] == "ERROR" || DateTime.UtcNow > deadline)
                throw new TimeoutException($"instance {id} is {instance.ToJsonString()}, not {status}; see {DataDir}/node.log");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the instance shows <paramref name="status"/> as its operating_status, after first having
    /// shown one that <paramref name="after"/> accepts, if given.</summary>
    public async Task WaitForOperatingStatusAsync(string tenant, string id, string status, TimeSpan within, Func<string, bool>? after = null)
    {
        var deadline = DateTime.UtcNow + within;
        var seen = new List<string>();
        var passed = after is null;
        while (true)
        {
            var shown = (string?)(await ShowAsync(tenant, id))!["operating_status"] ?? "";
            if (seen.Count == 0 || seen[^1] != shown)
                seen.Add(shown);
            passed |= after?.Invoke(shown) == true;
            if (passed && shown == status)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"operating_status went {string.Join(" → ", seen)}, not to {status}; see {DataDir}/node.log");
            await Task.Delay(250);
        }
    }

    /// <summary>The pid of the guest of <paramref name="serverId"/>, from the file it writes in its server's directory.</summary>
    public int GuestPid(string serverId) => int.Parse(File.ReadAllText(Path.Combine(ServersDir, serverId, "guest.pid")).Trim());

    /// <summary>What is left of a deleted instance (the instance itself, its server directory, a process, its OS user,
    /// broker user or queue), or null when nothing is.</summary>
    public async Task<string?> LeftOfDeletedAsync(string tenant, string id)
    {
        using var management = TestBroker.ManagementClient();
        if ((await Client(tenant).GetAsync($"v1.0/{tenant}/instances/{id}")).StatusCode != HttpStatusCode.NotFound) // a 503 of a loaded machine is "not yet"
            return "the instance";
        if (Directory.Exists(Path.Combine(ServersDir, id)))
            return "its server directory";
        if (ProcessesInServers(id).Count > 0)
            return "a process";
        if (ServerUsers.IdsOf(ServerUsers.NameOf(id)) is not null)
            return "its OS user";
        if ((await management.GetAsync($"api/users/{TroveBroker.GuestUser(id)}")).StatusCode != HttpStatusCode.NotFound)
            return "its broker user";
        if ((await management.GetAsync($"api/queues/%2F/{TroveBroker.GuestQueue(id)}")).StatusCode != HttpStatusCode.NotFound)
            return "its queue";
        return null;
    }

    /// <summary>Processes (guests, engines) whose command line names a path inside this node's servers directory.</summary>
    public IReadOnlyList<int> ProcessesInServers(string? serverId = null)
    {
        var path = serverId is null ? ServersDir + "/" : Path.Combine(ServersDir, serverId) + "/";
        return Directory.EnumerateDirectories("/proc")
            .Select(p => int.TryParse(Path.GetFileName(p), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ReadCommandLine(pid).Contains(path))
            .ToList();
    }

    private static string ReadCommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (Exception) { return ""; }
    }

    /// <summary>A port free now and never handed out before in this run: the kernel may give a port it just freed to
    /// the next probe, and a node whose admin and Akka ports were the same could not listen on one of them.</summary>
    public static int FreePort()
    {
        while (true)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            lock (HandedOut)
                if (HandedOut.Add(port))
                    return port;
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>The broker users and queues of the guests a test left behind (deleting an instance deletes its own), and
    /// the node's own conductor queue: durable queues left by every run pile up in the broker, which then needs a file
    /// handle for each one to start.</summary>
    private async Task DeleteBrokerLeftoversAsync()
    {
        using var management = TestBroker.ManagementClient();
        if (Directory.Exists(ServersDir))
            foreach (var server in Directory.EnumerateDirectories(ServersDir).Select(Path.GetFileName))
            {
                await management.DeleteAsync($"api/users/{TroveBroker.GuestUser(server!)}");
                await management.DeleteAsync($"api/queues/%2F/{TroveBroker.GuestQueue(server!)}");
            }
        if (OwnsConductorQueue)
            await management.DeleteAsync($"api/queues/%2F/{ConductorQueueOf(DataDir)}");
    }

    /// <summary>A node's conductor queue unless its settings name one (a cluster's nodes share theirs).</summary>
    public static string ConductorQueueOf(string dataDir) => $"trove-conductor-{Path.GetFileName(dataDir)}";

    private bool OwnsConductorQueue { get; init; }

    /// <summary>Stops the node, then every guest it left (each stops its engine), then removes the data dir.</summary>
    public async ValueTask DisposeAsync()
    {
        CloseClients();
        await StopAsync();
        foreach (var pid in ProcessesInServers())
            Programs.Signal(pid, "TERM");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (ProcessesInServers().Count > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        foreach (var pid in ProcessesInServers())
            Programs.Signal(pid, "KILL");
        if (Directory.Exists(ServersDir)) // the servers' OS users go with them, or system uids run out over many runs
            foreach (var server in Directory.EnumerateDirectories(ServersDir))
                await ServerUsers.RemoveAsync(ServerUsers.NameOf(Path.GetFileName(server)), CancellationToken.None);
        await DeleteBrokerLeftoversAsync();
        KeepLogIfItShowsErrors();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Closes the logged-in clients and their kept-alive connections, before a stop that no request follows: a
    /// stopping node waits up to a second for the next request on a connection kept alive (Trove.Web's OpenConnections).</summary>
    public void CloseClients()
    {
        lock (_clients)
            foreach (var client in _clients.Values)
                client.Dispose();
    }

    /// <summary>Set by a test that failed: the node's log is kept whatever it shows.</summary>
    public bool KeepLog { get; set; }

    /// <summary>A node log with errors (or of a failed test) outlives the data dir, in /tmp/trove-test-logs, for whoever reads a failure.</summary>
    private void KeepLogIfItShowsErrors()
    {
        var log = Path.Combine(DataDir, "node.log");
        if (!File.Exists(log) || !KeepLog && !File.ReadLines(log).Any(l => l.Contains(" fail: ") || l.Contains("[ERROR]")))
            return;
        Directory.CreateDirectory("/tmp/trove-test-logs");
        // a cluster's nodes are node-0, node-1, ... in every run: the time keeps a failed run's logs from the next run's
        File.Copy(log, Path.Combine("/tmp/trove-test-logs", $"{Path.GetFileName(DataDir)}-{DateTime.UtcNow:MMdd-HHmmss}.log"), overwrite: true);
    }
}
