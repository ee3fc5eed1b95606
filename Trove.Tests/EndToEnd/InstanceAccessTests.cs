using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>
/// upstream's instance access, enforced by the engine's host rules: a client from outside <c>allowed_cidrs</c> is refused,
/// one inside accepted, tenants' users and root alike; a change applies at once and outlives a restart; a CIDR that is
/// not one is refused with Trove's 400 and changes nothing. Clients connect from chosen loopback addresses.
/// </summary>
[Collection("node")]
public sealed class InstanceAccessTests(NodeFixture fixture)
{
    private const string Inside = "127.43.0.5", Outside = "127.43.0.6";
    private TroveNode Node => fixture.Node;

    private static object CreateBody(string datastore, string version) => new
    {
        instance = new
        {
            name = $"{datastore}-access", flavorRef = "small", volume = new { size = 1 }, datastore = new { type = datastore, version },
            databases = new[] { new { name = "appdb" } },
            users = new[] { new { name = "app", password = EngineClient.AppPassword, databases = new[] { new { name = "appdb" } } } },
            access = new { is_public = true, allowed_cidrs = new[] { $"{Inside}/32" } },
        },
    };

    /// <summary>Whether <paramref name="user"/> logs in from <paramref name="source"/> and runs a statement.</summary>
    private static async Task<bool> ConnectsFromAsync(JsonObject instance, string source, string user = "app", string password = EngineClient.AppPassword)
    {
        using var forwarder = SourceBoundForwarder.To(instance, source);
        try
        {
            var database = user == "root" ? ((string?)instance["datastore"]!["type"] == "mariadb" ? "mysql" : "postgres") : "appdb";
            return Convert.ToInt32(await EngineClient.ScalarAsync(forwarder.Through(instance), "SELECT 1", user, password, database)) == 1;
        }
        catch (Exception e) when (e is Npgsql.PostgresException or Npgsql.NpgsqlException or MySqlConnector.MySqlException or IOException)
        {
            return false;
        }
    }

    private async Task<JsonObject> AccessOfAsync(string id) => (await Node.ShowAsync("demo", id))!["access"]!.AsObject();

    private Task<HttpResponseMessage> PutAccessAsync(string id, object access) =>
        Node.Http.PutAsJsonAsync($"v1.0/demo/instances/{id}", new { instance = new { access } });

    [Theory]
    [InlineData("postgresql", "15")]
    [InlineData("mariadb", "10.11")]
    public async Task Only_clients_from_the_allowed_networks_get_in_and_a_change_applies_at_once(string datastore, string version)
    {
        var created = await Node.CreateInstanceAsync("demo", CreateBody(datastore, version));
        var id = (string)created["id"]!;
        Assert.Equal("""{"is_public":true,"allowed_cidrs":["127.43.0.5/32"]}""", created["access"]!.ToJsonString());
        var active = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));

        Assert.True(await ConnectsFromAsync(active, Inside));
        Assert.False(await ConnectsFromAsync(active, Outside));
        var rootPassword = (string)(await (await Node.Http.PostAsync($"v1.0/demo/instances/{id}/root", null)).Content
            .ReadFromJsonAsync<JsonObject>())!["user"]!["password"]!;
        Assert.True(await ConnectsFromAsync(active, Inside, "root", rootPassword));
        Assert.False(await ConnectsFromAsync(active, Outside, "root", rootPassword));

        Assert.Equal(HttpStatusCode.Accepted, (await PutAccessAsync(id, new { allowed_cidrs = new[] { "127.43.0.0/30", "10.1.0.0/16" } })).StatusCode);
        Assert.Equal("""{"is_public":false,"allowed_cidrs":["127.43.0.0/30","10.1.0.0/16"]}""", (await AccessOfAsync(id)).ToJsonString());
        Assert.False(await ConnectsFromAsync(active, Inside)); // 127.43.0.5 is outside 127.43.0.0/30 now
        Assert.True(await ConnectsFromAsync(active, "127.43.0.2"));
        Assert.True(await ConnectsFromAsync(active, "127.43.0.2", "root", rootPassword));
        Assert.False(await ConnectsFromAsync(active, Outside, "root", rootPassword));

        var refused = await PutAccessAsync(id, new { allowed_cidrs = new[] { "127.43.0.0/33" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(400, (int)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["code"]!);
        Assert.Equal("""{"is_public":false,"allowed_cidrs":["127.43.0.0/30","10.1.0.0/16"]}""", (await AccessOfAsync(id)).ToJsonString());

        // The engine's rules outlive its restart.
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{id}/action", new { restart = new { } })).StatusCode);
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.False(await ConnectsFromAsync(active, Outside));
        Assert.True(await ConnectsFromAsync(active, "127.43.0.2"));

        Assert.Equal(HttpStatusCode.Accepted, (await PutAccessAsync(id, new { is_public = false })).StatusCode); // every network again
        Assert.True(await ConnectsFromAsync(active, Outside));
        Assert.True(await ConnectsFromAsync(active, Outside, "root", rootPassword));

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_create_with_a_cidr_that_is_not_one_is_refused_and_creates_nothing()
    {
        var body = new
        {
            instance = new
            {
                name = "bad-access", flavorRef = "small", volume = new { size = 1 }, datastore = new { type = "postgresql", version = "15" },
                access = new { allowed_cidrs = new[] { "10.0.0.300/8" } },
            },
        };
        var response = await Node.Client("validation").PostAsJsonAsync("v1.0/validation/instances", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("allowed_cidrs", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["message"]);
        var listed = await Node.Client("validation").GetFromJsonAsync<JsonObject>("v1.0/validation/instances");
        Assert.DoesNotContain(listed!["instances"]!.AsArray(), i => (string?)i!["name"] == "bad-access");
    }
}
