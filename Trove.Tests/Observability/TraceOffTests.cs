using System.Diagnostics;
using System.Net;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;

namespace Trove.Tests.Observability;

/// <summary>With tracing off (the default: the shared node exports no traces), a request that names a trace is handled
/// as any other: no trace travels to the guest, whose handling of the call logs no trace id.</summary>
[Collection("node")]
public sealed class TraceOffTests(NodeFixture fixture)
{
    [Fact]
    public async Task A_request_in_a_trace_sends_the_guest_no_trace_while_tracing_is_off()
    {
        var node = fixture.Node;
        var id = (string)(await node.CreateInstanceAsync("demo", DatabaseUserRootTests.CreateBody("untraced", "postgresql", "15")))["id"]!;
        try
        {
            await node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(120));
            var traceId = ActivityTraceId.CreateRandom();
            Assert.Equal(HttpStatusCode.Accepted, await TraceTests.CreateDatabaseAsync(node, id, traceId));
            // the guest logs each call it handles, with the trace it came in (TraceTests): this one came in none
            await GuestLogs.WaitForAsync(node, id, "create_database called", TimeSpan.FromSeconds(30));
            var log = await GuestLogs.ReadAsync(node, id);
            Assert.DoesNotContain(traceId.ToHexString(), log);
            Assert.DoesNotContain("in trace", log);
        }
        finally
        {
            await node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
        }
    }
}
