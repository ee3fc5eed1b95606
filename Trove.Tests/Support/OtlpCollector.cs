using System.Diagnostics;
using System.Net;
using System.Text;

namespace Trove.Tests.Support;

/// <summary>
/// A trace collector for a node under test: an HTTP endpoint that takes OTLP's protobuf exports (the node's real
/// exporter posts to it, <c>Trove:Telemetry:OtlpProtocol=http/protobuf</c>) and keeps each body. A span's trace id is
/// its raw 16 bytes in the body and its name plain UTF-8, which is all a test needs to find it.
/// </summary>
public sealed class OtlpCollector : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<byte[]> _exports = [];

    private OtlpCollector(int port)
    {
        Endpoint = $"http://127.0.0.1:{port}/v1/traces";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    /// <summary>The settings that make a node export its traces here, at once.</summary>
    public IDictionary<string, string> NodeSettings() => new Dictionary<string, string>
    {
        ["Trove__Telemetry__OtlpEndpoint"] = Endpoint,
        ["Trove__Telemetry__OtlpProtocol"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
    };

    public static OtlpCollector Start() => new(TroveNode.FreePort());

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; } // stopped
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            lock (_exports)
                _exports.Add(body.ToArray());
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    /// <summary>Waits until spans of every name in <paramref name="names"/> came in exports of <paramref name="traceId"/>.</summary>
    public async Task WaitForSpansAsync(ActivityTraceId traceId, IReadOnlyList<string> names, TimeSpan within)
    {
        var id = Convert.FromHexString(traceId.ToHexString());
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            List<byte[]> ofTrace;
            lock (_exports)
                ofTrace = _exports.Where(e => e.AsSpan().IndexOf(id) >= 0).ToList();
            var missing = names.Where(n => !ofTrace.Any(e => e.AsSpan().IndexOf(Encoding.UTF8.GetBytes(n)) >= 0)).ToList();
            if (missing.Count == 0)
                return;
            Assert.True(DateTime.UtcNow < deadline, $"no span {string.Join(", ", missing)} in trace {traceId} ({ofTrace.Count} of {_exports.Count} exports had it)");
            await Task.Delay(100);
        }
    }

    public void Dispose() => _listener.Close();
}
