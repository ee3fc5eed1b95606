using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Trove.Bench;

/// <summary>
/// A tenant's API client that sends each request to the next node in turn, as a client behind a load balancer would. A
/// refused connection (a node that is down) is retried on the next node; an answer <paramref name="fails"/> calls a
/// failure, or any other connection error, is counted in <see cref="Failures"/>. Shared by <c>Trove.Bench api-load</c>
/// and the rolling-restart tests (Trove.Tests links this file).
/// </summary>
public sealed class RoundRobinClient(IReadOnlyList<Uri> nodes, string token, Func<HttpStatusCode, bool> fails) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private int _next;

    public int Sent { get; private set; }
    public int Refusals { get; private set; }
    public TimeSpan Slowest { get; private set; }
    public List<string> Failures { get; } = [];
    public Dictionary<string, int> SentByKind { get; } = [];
    public Dictionary<string, int> FailedByKind { get; } = [];

    /// <summary>The answer's status and, for a success, its body; no status when no node answered.</summary>
    public async Task<(HttpStatusCode? Status, JsonObject? Body)> SendAsync(string kind, HttpMethod method, string path, object? body = null)
    {
        Sent++;
        SentByKind[kind] = SentByKind.GetValueOrDefault(kind) + 1;
        var watch = Stopwatch.StartNew();
        for (var attempt = 0; attempt < nodes.Count * 100; attempt++)
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
                Slowest = watch.Elapsed > Slowest ? watch.Elapsed : Slowest;
                var text = await response.Content.ReadAsStringAsync();
                if (fails(response.StatusCode))
                    Fail(kind, $"{DateTime.UtcNow:HH:mm:ss} {method} {node}{path}: {(int)response.StatusCode} {text}");
                return (response.StatusCode, response.IsSuccessStatusCode && text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null);
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                Refusals++;
                await Task.Delay(20);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Fail(kind, $"{DateTime.UtcNow:HH:mm:ss} {method} {node}{path}: {e.GetBaseException().Message}");
                return (null, null);
            }
        }
        Fail(kind, $"{method} {path}: every node refused");
        return (null, null);
    }

    public string Summary() =>
        $"sent {Sent} ({string.Join(", ", SentByKind.Select(k => $"{k.Value} {k.Key}"))}), refused connections retried {Refusals}, " +
        $"failed {Failures.Count} ({string.Join(", ", FailedByKind.Select(k => $"{k.Value} {k.Key}"))}), slowest {Slowest.TotalSeconds:0.00} s";

    private void Fail(string kind, string failure)
    {
        Failures.Add(failure);
        FailedByKind[kind] = FailedByKind.GetValueOrDefault(kind) + 1;
    }

    public void Dispose() => _http.Dispose();
}
