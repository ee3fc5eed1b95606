using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;

namespace Trove.Tests.Observability;

/// <summary>
/// One trace from an API request to the guest's work: the request names its trace (W3C <c>traceparent</c>), the node
/// exports its HTTP span, its ask, the entity's handling and the guest call in that trace to a collector of the test's,
/// and the guest, which got the trace in the call's AMQP headers, logs its handling under the same trace id.
/// </summary>
public sealed class TraceTests
{
    private static readonly TimeSpan Build = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_database_create_is_one_trace_from_the_HTTP_request_through_the_entity_to_the_guest_s_work()
    {
        using var collector = OtlpCollector.Start();
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), collector.NodeSettings());
        var id = (string)(await node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody("traced", "postgresql", "15")))["id"]!;
        await node.WaitForStatusAsync("demo", id, "ACTIVE", Build);

        var traceId = ActivityTraceId.CreateRandom();
        Assert.Equal(HttpStatusCode.Accepted, await CreateDatabaseAsync(node, id, traceId));

        await collector.WaitForSpansAsync(traceId, ["POST", "ask CreateDatabases", "instance CreateDatabases", "guest create_database"], TimeSpan.FromSeconds(60));
        await GuestLogs.WaitForAsync(node, id, $"create_database called in trace {traceId}", TimeSpan.FromSeconds(30));
        await node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
    }

    /// <summary>POSTs a database in the trace <paramref name="traceId"/>, as a traced client would.</summary>
    public static async Task<HttpStatusCode> CreateDatabaseAsync(TroveNode node, string id, ActivityTraceId traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"v1.0/demo/instances/{id}/databases")
        {
            Content = JsonContent.Create(new { databases = new[] { new { name = $"traced{traceId.ToHexString()[..6]}" } } }),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        return (await node.Http.SendAsync(request)).StatusCode;
    }
}

/// <summary>What an instance's guest logged (its server's guest.log).</summary>
public static class GuestLogs
{
    public static Task<string> ReadAsync(TroveNode node, string instanceId) =>
        File.ReadAllTextAsync(Path.Combine(node.ServersDir, instanceId, "guest.log"));

    /// <summary>Waits for <paramref name="text"/> in the guest's log (its console logger writes from a queue of its own).</summary>
    public static async Task WaitForAsync(TroveNode node, string instanceId, string text, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!(await ReadAsync(node, instanceId)).Contains(text))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the guest of {instanceId} never logged '{text}'");
            await Task.Delay(100);
        }
    }
}
