using Trove.Actors.Admin;
using Trove.Contracts.Admin;

namespace Trove.Tests.Support;

/// <summary>
/// N real nodes (separate processes) as one Akka.NET cluster, as scripts/cluster runs them: one fresh PostgreSQL
/// database for journal and read model, one conductor queue, shared servers directory and token key, every node a
/// seed. Ports stay fixed for the cluster's life, so a restarted node comes back where clients expect it.
/// </summary>
public sealed class TroveCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly TestDatabase _database;
    private readonly List<Dictionary<string, string>> _settings;
    public List<TroveNode> Nodes { get; } = new();

    private TroveCluster(string root, TestDatabase database, List<Dictionary<string, string>> settings)
    {
        _root = root;
        _database = database;
        _settings = settings;
    }

    public string AkkaAddress(int i) => $"akka.tcp://trove@127.0.0.1:{_settings[i]["Trove__AkkaPort"]}";

    public static async Task<TroveCluster> StartAsync(int count, IDictionary<string, string>? extra = null)
    {
        var root = TroveNode.NewDataDir();
        var database = await TestDatabase.CreateAsync();
        var akkaPorts = Enumerable.Range(0, count).Select(_ => TroveNode.FreePort()).ToList();
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var guestSecret = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var settings = akkaPorts.Select(akkaPort =>
        {
            var node = database.NodeSettings();
            node["TROVE_HTTP_PORT"] = TroveNode.FreePort().ToString();
            node["Trove__Admin__Port"] = TroveNode.FreePort().ToString();
            node["Trove__AkkaPort"] = akkaPort.ToString();
            node["Trove__Auth__TokenKey"] = key;
            node["Trove__Amqp__GuestSecret"] = guestSecret; // any node gives a guest the same broker password
            node["Trove__ServersDirectory"] = Path.Combine(root, "servers");
            node["Trove__BackupsDirectory"] = Path.Combine(root, "backups");
            node["Trove__Amqp__ConductorQueue"] = TroveNode.ConductorQueueOf(root);
            node["Trove__DownUnreachableAfter"] = "00:00:05";
            for (var i = 0; i < count; i++)
                node[$"Trove__SeedNodes__{i}"] = $"akka.tcp://trove@127.0.0.1:{akkaPorts[i]}";
            foreach (var (k, v) in extra ?? new Dictionary<string, string>())
                node[k] = v;
            return node;
        }).ToList();

        var cluster = new TroveCluster(root, database, settings);
        try
        {
            // The first seed forms the cluster; the others join it.
            cluster.Nodes.Add(await TroveNode.StartAsync(cluster.NodeDir(0), settings[0]));
            cluster.Nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, count - 1)
                .Select(i => TroveNode.StartAsync(cluster.NodeDir(i), settings[i]))));
            await cluster.WaitForMembersAsync(cluster.Nodes[0], count, TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private string NodeDir(int i) => Directory.CreateDirectory(Path.Combine(_root, $"node-{i}")).FullName;

    /// <summary>SIGTERM to node i, wait for it to exit, start it again on the same ports, wait until it is Up.</summary>
    public async Task RestartAsync(int i)
    {
        await Nodes[i].StopAsync();
        await StartNodeAsync(i);
        await WaitForMembersAsync(Nodes[i], Nodes.Count, TimeSpan.FromSeconds(60));
    }

    /// <summary>Starts node i again (after a stop or a kill) on its ports; <paramref name="adjust"/> may change its settings.</summary>
    public async Task<TroveNode> StartNodeAsync(int i, Action<Dictionary<string, string>>? adjust = null)
    {
        var settings = new Dictionary<string, string>(_settings[i]);
        adjust?.Invoke(settings);
        return Nodes[i] = await TroveNode.StartAsync(NodeDir(i), settings);
    }

    /// <summary>Waits until <paramref name="node"/> sees <paramref name="members"/> members, all Up and reachable.</summary>
    public async Task<string> WaitForMembersAsync(TroveNode node, int members, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var show = await node.AdminAsync("cluster", "show");
            var rows = MemberRows(show.Output);
            if (show.Exit == AdminExit.Ok && rows.Count == members && rows.All(r => r.Status == "Up" && r.Reachability == "reachable"))
                return show.Output;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"expected {members} members Up; node {node.BaseAddress} says:\n{show.Output}");
            await Task.Delay(200);
        }
    }

    /// <summary>The rows of <c>cluster show</c>: address, status, reachability.</summary>
    public static IReadOnlyList<(string Address, string Status, string Reachability)> MemberRows(string clusterShow) =>
        clusterShow.Split('\n')
            .Where(l => l.StartsWith("akka.tcp://", StringComparison.Ordinal))
            .Select(l => l.Replace(" (self)", "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(c => (c[0], c[1], c[2]))
            .ToList();

    /// <summary>Every node's log is kept when the cluster is disposed (see <see cref="TroveNode.KeepLog"/>); a restarted
    /// node's log holds each of its runs.</summary>
    public void KeepLogs()
    {
        foreach (var node in Nodes)
            node.KeepLog = true;
    }

    /// <summary>Every node stops before any cleans up: a node still running would start again (reconcile) the guests of
    /// the shared servers directory that another node's cleanup just stopped, while it removes their users.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            node.CloseClients();
        await Task.WhenAll(Nodes.Select(node => node.StopAsync()));
        foreach (var node in Nodes)
            await node.DisposeAsync();
        using (var management = TestBroker.ManagementClient())
            await management.DeleteAsync($"api/queues/%2F/{TroveNode.ConductorQueueOf(_root)}");
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        await _database.DisposeAsync();
    }
}
