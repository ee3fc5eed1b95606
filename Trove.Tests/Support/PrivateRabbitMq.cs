using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Trove.Tests.Support;

/// <summary>
/// A RabbitMQ node of a test's own (Debian's rabbitmq-server, its own node name, AMQP, distribution and management
/// ports on loopback, its database and logs in a temp dir), so that the test may stop and start it without touching the
/// shared broker other tests use. It runs as the rabbitmq OS user with that user's home, so it shares the Erlang cookie
/// of the shared node as <c>rabbitmqctl</c> expects. Its administrator is made by its configuration, as scripts/bootstrap
/// makes the shared one's (a user with the administrator tag, all permissions on <c>/</c>, the management plugin on).
/// </summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    private const string Script = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly string _dir;
    private readonly string _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private Process? _server;

    private PrivateRabbitMq(string dir)
    {
        _dir = dir;
        NodeName = $"{Path.GetFileName(dir)}@{Environment.MachineName.Split('.')[0]}";
    }

    public string NodeName { get; }
    public int AmqpPort { get; } = TroveNode.FreePort();
    public int ManagementPort { get; } = TroveNode.FreePort();
    private int DistributionPort { get; } = TroveNode.FreePort();

    /// <summary>The administrator's URI, as /etc/trove/amqp-uri holds the shared broker's.</summary>
    public string Uri => $"amqp://trove:{_password}@127.0.0.1:{AmqpPort}/";

    public string ManagementUri => $"http://127.0.0.1:{ManagementPort}/";

    /// <summary>The pid of the server's process (its start script, which stops the VM cleanly on SIGTERM).</summary>
    public int? ProcessId => _server is { HasExited: false } server ? server.Id : null;

    /// <summary>A node's settings (environment variables) for this broker: its own user, the management API the node
    /// makes guests' broker users through.</summary>
    public Dictionary<string, string> NodeSettings() => new()
    {
        ["TROVE_AMQP_URI"] = Uri,
        ["Trove__Amqp__ManagementUri"] = ManagementUri,
    };

    public HttpClient ManagementClient() => new()
    {
        BaseAddress = new System.Uri(ManagementUri),
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"trove:{_password}"))) },
    };

    public static async Task<PrivateRabbitMq> StartAsync()
    {
        // Short: the node name is part of every path of its database.
        var dir = Directory.CreateDirectory($"/tmp/trove-mq-{Guid.NewGuid().ToString("N")[..8]}").FullName;
        var broker = new PrivateRabbitMq(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "rabbitmq.conf"), $"""
            listeners.tcp.1 = 127.0.0.1:{broker.AmqpPort}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {broker.ManagementPort}
            default_user = trove
            default_pass = {broker._password}
            default_user_tags.administrator = true
            default_permissions.configure = .*
            default_permissions.read = .*
            default_permissions.write = .*
            loopback_users = none

            """);
        await File.WriteAllTextAsync(Path.Combine(dir, "enabled_plugins"), "[rabbitmq_management].\n");
        await RunAsync("chown", "-R", "rabbitmq:rabbitmq", dir);
        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await broker.StartAgainAsync();
        return broker;
    }

    /// <summary>Starts the server (again, on the same database, ports and users) and waits until its management API
    /// answers, which it does once the broker has booted.</summary>
    public async Task StartAgainAsync()
    {
        if (ProcessId is not null)
            throw new InvalidOperationException($"{NodeName} runs already");
        var start = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        foreach (var arg in (string[])["--reuid=rabbitmq", "--regid=rabbitmq", "--init-groups", Script])
            start.ArgumentList.Add(arg);
        start.Environment["HOME"] = "/var/lib/rabbitmq"; // where the shared node's Erlang cookie is
        start.Environment["RABBITMQ_NODENAME"] = NodeName;
        start.Environment["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        start.Environment["RABBITMQ_NODE_PORT"] = AmqpPort.ToString();
        start.Environment["RABBITMQ_DIST_PORT"] = DistributionPort.ToString();
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_dir, "rabbitmq.conf");
        start.Environment["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_dir, "advanced.config");
        start.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_dir, "rabbitmq-env.conf");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_dir, "enabled_plugins");
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_dir, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(_dir, "log");
        start.Environment["RABBITMQ_LOGS"] = Path.Combine(_dir, "log", "rabbit.log");
        var server = _server = Process.Start(start)!;
        var log = File.AppendText(Path.Combine(_dir, "server.out"));
        log.AutoFlush = true;
        server.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();

        using var management = ManagementClient();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            if (server.HasExited)
                throw new InvalidOperationException($"{NodeName} exited with {server.ExitCode}; see {_dir}/server.out and {_dir}/log");
            try
            {
                // The management API may answer before the AMQP listener is up, or while it failed to start.
                if ((await management.GetAsync("api/overview")).IsSuccessStatusCode && await AcceptsAsync(AmqpPort))
                    return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            if (DateTime.UtcNow > deadline)
            {
                await StopAsync();
                throw new TimeoutException($"{NodeName} did not answer within 120 s; see {_dir}/log");
            }
            await Task.Delay(250);
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM to the pid this class started: the broker stops cleanly (every connection drops, durable queues
    /// and persistent messages are kept), as a broker host's shutdown does.</summary>
    public async Task StopAsync()
    {
        if (_server is not { } server || server.HasExited)
            return;
        Programs.Signal(server.Id, "TERM");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try { await server.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { server.Kill(entireProcessTree: true); }
        server.Dispose();
        _server = null;
    }

    /// <summary>Raises a memory alarm at once (the high watermark at 0), which blocks every connection that publishes: a
    /// publish waits for its confirm until <paramref name="blocked"/> is false again (the default watermark).</summary>
    public Task BlockPublishersAsync(bool blocked) =>
        RunAsync("setpriv", "--reuid=rabbitmq", "--regid=rabbitmq", "--init-groups", "env", "HOME=/var/lib/rabbitmq",
            "rabbitmqctl", "-n", NodeName, "set_vm_memory_high_watermark", blocked ? "0" : "0.4");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static Task RunAsync(string program, params string[] args) => Programs.RunCheckedAsync(program, args);
}
