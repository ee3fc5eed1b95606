using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>The journal's PostgreSQL goes away for a while: requests answer Trove's 503 within the ask timeout instead
/// of hanging, nothing half-written stays, and the node serves again by itself once the database is back.</summary>
public sealed class JournalOutageTests
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Requests_answer_503_while_the_journal_is_down_and_succeed_again_without_a_restart()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var settings = postgres.NodeSettings();
        settings["Trove__AskTimeout"] = AskTimeout.ToString();
        await using var node = await TroveNode.StartAsync(TroveNode.NewDataDir(), settings);
        var admin = node.Client("admin");
        Assert.Equal(HttpStatusCode.OK, (await SetInstanceQuotaAsync(admin, 7)).StatusCode);

        await postgres.StopAsync();
        foreach (var request in new Func<Task<HttpResponseMessage>>[]
                 {
                     () => SetInstanceQuotaAsync(admin, 3),                       // an entity's write
                     () => node.Http.GetAsync("v1.0/demo/instances"),            // a read model query
                 })
        {
            var clock = Stopwatch.StartNew();
            var response = await request();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
            Assert.True(clock.Elapsed < AskTimeout * 3, $"answered after {clock.Elapsed}");
            var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal(503, (int)body["serviceUnavailable"]!["code"]!);
        }

        await postgres.StartAgainAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpResponseMessage shown;
        while ((shown = await admin.GetAsync("v1.0/admin/mgmt/quotas/demo")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the node did not serve again: {shown.StatusCode}; see {node.DataDir}/node.log");
            await Task.Delay(500);
        }
        // The write refused during the outage left nothing: the quota is the one set before it.
        Assert.Equal(7, InstanceQuota((await shown.Content.ReadFromJsonAsync<JsonObject>())!));
        Assert.Equal(HttpStatusCode.OK, (await SetInstanceQuotaAsync(admin, 5)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("v1.0/demo/instances")).StatusCode);
    }

    private static Task<HttpResponseMessage> SetInstanceQuotaAsync(HttpClient admin, int instances) =>
        admin.PutAsJsonAsync("v1.0/admin/mgmt/quotas/demo", new { quotas = new { instances } });

    private static int InstanceQuota(JsonObject shown) =>
        (int)shown["quotas"]!.AsArray().Single(q => (string?)q!["resource"] == "instances")!["limit"]!;
}
