using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;
using Xunit.Abstractions;

namespace Trove.Tests.Cluster;

/// <summary>A full rolling restart of 3 nodes under a client that round-robins over them, as a deploy would run.</summary>
[Collection("cluster")]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task No_request_fails_and_no_acknowledged_write_is_lost_while_every_node_restarts_in_turn()
    {
        await using var cluster = await TroveCluster.StartAsync(3);
        var renamed = (string)(await cluster.Nodes[0].CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody("rolling-a")))["id"]!;
        var withDatabases = (string)(await cluster.Nodes[1].CreateInstanceAsync("demo", MariaDbInstanceTests.CreateBody("rolling-b")))["id"]!;
        foreach (var id in new[] { renamed, withDatabases })
            await cluster.Nodes[2].WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));

        using var client = new RoundRobinClient(cluster.Nodes.Select(n => n.BaseAddress).ToList(),
            await cluster.Nodes[0].LoginAsync("demo", "demo", "demo"));
        using var stop = new CancellationTokenSource();
        string? lastName = null;
        var databases = new List<string>();
        var load = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                await client.SendAsync(HttpMethod.Get, $"v1.0/demo/instances/{renamed}");
                await client.SendAsync(HttpMethod.Get, "v1.0/demo/instances");
                var name = $"rolling-{n}";
                if (await client.SendAsync(HttpMethod.Put, $"v1.0/demo/instances/{renamed}", new { instance = new { name } }) == HttpStatusCode.Accepted)
                    lastName = name;
                if (n % 4 == 0)
                {
                    var database = $"db_{n}";
                    if (await client.SendAsync(HttpMethod.Post, $"v1.0/demo/instances/{withDatabases}/databases",
                            new { databases = new[] { new { name = database } } }) == HttpStatusCode.Accepted)
                        databases.Add(database);
                }
            }
        });

        for (var i = 0; i < cluster.Nodes.Count; i++)
            await cluster.RestartAsync(i);
        await Task.Delay(1000); // some load on the cluster as it is after the deploy
        stop.Cancel();
        await load;

        output.WriteLine(client.Summary());
        if (client.Failures.Count > 0)
            cluster.KeepLogs(); // every node's: the one that dropped a request is rarely the one that answered it
        Assert.True(client.Failures.Count == 0, string.Join("\n", client.Failures.Take(10)));
        Assert.True(client.Sent > 50, client.Summary());
        Assert.NotNull(lastName);

        var api = cluster.Nodes[0];
        Assert.Equal(lastName, (string?)(await api.ShowAsync("demo", renamed))!["name"]);
        var listed = (await api.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/instances/{withDatabases}/databases?limit=1000"))!["databases"]!
            .AsArray().Select(d => (string)d!["name"]!).ToHashSet();
        Assert.All(databases, d => Assert.Contains(d, listed));
        foreach (var id in new[] { renamed, withDatabases })
            Assert.Equal("ACTIVE", (string?)(await api.ShowAsync("demo", id))!["status"]);
    }

    /// <summary>Sends each request to the next node in turn, on a fresh connection; a refused connection (a node that is
    /// down) is retried on the next node, anything else counts: a 5xx or a broken connection is a failure.</summary>
    private sealed class RoundRobinClient(IReadOnlyList<Uri> nodes, string token) : IDisposable
    {
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
        private int _next;
        public int Sent { get; private set; }
        public int Refusals { get; private set; }
        public TimeSpan Slowest { get; private set; }
        public List<string> Failures { get; } = new();

        public async Task<HttpStatusCode?> SendAsync(HttpMethod method, string path, object? body = null)
        {
            Sent++;
            var watch = Stopwatch.StartNew();
            for (var attempt = 0; attempt < nodes.Count * 50; attempt++)
            {
                var node = nodes[_next++ % nodes.Count];
                using var request = new HttpRequestMessage(method, new Uri(node, path));
                request.Headers.ConnectionClose = true;
                request.Headers.Add("X-Auth-Token", token);
                if (body is not null)
                    request.Content = JsonContent.Create(body);
                try
                {
                    using var response = await _http.SendAsync(request);
                    if (watch.Elapsed > Slowest)
                        Slowest = watch.Elapsed;
                    if ((int)response.StatusCode >= 500)
                        Failures.Add($"{method} {node}{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    return response.StatusCode;
                }
                catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                {
                    Refusals++;
                    await Task.Delay(20);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Failures.Add($"{method} {node}{path}: {e.GetBaseException().Message}");
                    return null;
                }
            }
            Failures.Add($"{method} {path}: every node refused");
            return null;
        }

        public string Summary() => $"sent {Sent}, refusals retried {Refusals}, failed {Failures.Count}, slowest {Slowest.TotalSeconds:0.00} s";

        public void Dispose() => _http.Dispose();
    }
}
