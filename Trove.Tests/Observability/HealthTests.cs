using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Observability;

/// <summary>
/// <c>/health/ready</c> follows the broker: a node on a RabbitMQ of the test's own turns unready when that broker stops
/// (naming the broker, with the cluster and the journal still fine) and ready again once it is back, while
/// <c>/health/live</c> answers throughout. Both anonymous.
/// </summary>
public sealed class HealthTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ready_goes_unhealthy_while_the_broker_is_down_and_back_once_it_returns_live_stays()
    {
        await using var broker = await PrivateRabbitMq.StartAsync();
        var dataDir = TroveNode.NewDataDir();
        await using var node = await TroveNode.StartAsync(dataDir, broker.NodeSettings());
        using var anonymous = node.Anonymous();

        var ready = await WaitForAsync(anonymous, "health/ready", HttpStatusCode.OK);
        Assert.Equal("Healthy", (string?)ready["status"]);
        foreach (var check in new[] { "cluster", "journal", "broker" })
            Assert.Equal("Healthy", (string?)ready["checks"]![check]!["status"]);

        await broker.StopAsync();
        var down = await WaitForAsync(anonymous, "health/ready", HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", (string?)down["checks"]!["broker"]!["status"]);
        Assert.Equal("Healthy", (string?)down["checks"]!["cluster"]!["status"]);
        Assert.Equal("Healthy", (string?)down["checks"]!["journal"]!["status"]);
        Assert.DoesNotContain(broker.Uri.Split('@')[0].Split(':')[^1], down.ToJsonString()); // no broker password in it
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/live")).StatusCode);

        await broker.StartAgainAsync();
        await WaitForAsync(anonymous, "health/ready", HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("health/live")).StatusCode);
    }

    private static async Task<JsonObject> WaitForAsync(HttpClient client, string path, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            var response = await client.GetAsync(path);
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            if (response.StatusCode == expected)
                return body!;
            Assert.True(DateTime.UtcNow < deadline, $"{path} still answers {(int)response.StatusCode}: {body}");
            await Task.Delay(250);
        }
    }
}
