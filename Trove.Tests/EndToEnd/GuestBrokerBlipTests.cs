using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>A real guest whose broker connection is closed under it (management API, as a broker blip does): it
/// reconnects by itself, its consumer starts again, and calls to it are answered again, not only its heartbeats.</summary>
[Collection("node")]
public sealed class GuestBrokerBlipTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    [Fact]
    public async Task After_its_connection_is_closed_the_guest_answers_calls_again_and_stays_healthy()
    {
        var id = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("blip")))["id"]!;
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        using var management = TestBroker.ManagementClient();

        await TestBroker.CloseConnectionsAsync(management, $"guest-{id}");

        // The first call may wait in the guest's queue while its consumer starts again; it is answered.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonObject? databases = null;
        while (databases is null)
        {
            using var response = await Node.Http.GetAsync($"v1.0/demo/instances/{id}/databases");
            if (response.StatusCode == HttpStatusCode.OK)
                databases = await response.Content.ReadFromJsonAsync<JsonObject>();
            else
                Assert.True(DateTime.UtcNow < deadline, $"the guest never answered again: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Contains(databases!["databases"]!.AsArray(), d => (string?)d!["name"] == "appdb");
        var shown = await Node.ShowAsync("demo", id);
        Assert.Equal(("ACTIVE", "HEALTHY"), ((string?)shown!["status"], (string?)shown["operating_status"]));

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
    }
}
