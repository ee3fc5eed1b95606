using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>Databases, users, access, root, restart and rename on a running instance, through the API and the real guest.</summary>
[Collection("node")]
public sealed class DatabaseUserRootTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    /// <summary>Logs in over TCP as a tenant would, creates a table and selects 1.</summary>
    private static async Task<int> SelectOneAsync(JsonObject instance, string user, string password, string database) =>
        Convert.ToInt32(await EngineClient.ScalarAsync(instance, "CREATE TABLE IF NOT EXISTS probe (n int); SELECT 1", user, password, database));

    public static object CreateBody(string name, string datastore, string version) => new
    {
        instance = new
        {
            name, flavorRef = "small", volume = new { size = 1 }, datastore = new { type = datastore, version },
            databases = new[] { new { name = "appdb" } },
            users = new[] { new { name = "app", password = PostgresInstanceTests.Password, databases = new[] { new { name = "appdb" } } } },
        },
    };

    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        return (await Node.Http.SendAsync(request)).StatusCode;
    }

    private async Task<JsonObject> GetAsync(string path) => (await Node.Http.GetFromJsonAsync<JsonObject>(path))!;

    private static string[] Names(JsonNode list) => list.AsArray().Select(n => (string)n!["name"]!).ToArray();

    [Theory]
    [InlineData("postgresql", "15", "postgres", "postgres")]
    [InlineData("mariadb", "10.11", "root", "mysql")]
    public async Task Databases_users_access_root_restart_and_rename_on_a_running_instance(string datastore, string version, string rootName, string rootDatabase)
    {
        var created = await Node.CreateInstanceAsync("demo", CreateBody($"{datastore}-dbusers", datastore, version));
        var id = (string)created["id"]!;
        var path = $"v1.0/demo/instances/{id}";
        // Guest operations wait for the instance to be running (upstream's 422 otherwise).
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await SendAsync(HttpMethod.Post, $"{path}/databases", new { databases = new[] { new { name = "early" } } }));
        var instance = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));

        // databases
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Post, $"{path}/databases", new { databases = new[] { new { name = "db2" }, new { name = "db3" } } }));
        Assert.Equal(["appdb", "db2", "db3"], Names((await GetAsync($"{path}/databases"))["databases"]!));
        var page = await GetAsync($"{path}/databases?limit=2");
        Assert.Equal(["appdb", "db2"], Names(page["databases"]!));
        Assert.Contains("marker=db2", (string?)page["links"]![0]!["href"]);
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Delete, $"{path}/databases/db3"));
        Assert.Equal(["appdb", "db2"], Names((await GetAsync($"{path}/databases"))["databases"]!));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(HttpMethod.Post, $"{path}/databases", new { databases = new[] { new { name = "bad;name" } } }));

        // users and access
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Post, $"{path}/users",
            new { users = new[] { new { name = "u2", password = "pw-one", databases = new[] { new { name = "db2" } } } } }));
        Assert.Equal(["app", "u2"], Names((await GetAsync($"{path}/users"))["users"]!));
        Assert.Equal(["db2"], Names((await GetAsync($"{path}/users/u2"))["user"]!["databases"]!));
        Assert.Equal(1, await SelectOneAsync(instance, "u2", "pw-one", "db2"));

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Put, $"{path}/users/u2", new { user = new { password = "pw-two" } }));
        Assert.Equal(1, await SelectOneAsync(instance, "u2", "pw-two", "db2"));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Put, $"{path}/users", new { users = new[] { new { name = "u2", password = "pw-three" } } }));
        Assert.Equal(1, await SelectOneAsync(instance, "u2", "pw-three", "db2"));

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Put, $"{path}/users/u2/databases", new { databases = new[] { new { name = "appdb" } } }));
        Assert.Equal(["appdb", "db2"], Names((await GetAsync($"{path}/users/u2/databases"))["databases"]!));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Delete, $"{path}/users/u2/databases/appdb"));
        Assert.Equal(["db2"], Names((await GetAsync($"{path}/users/u2%40%25/databases"))["databases"]!));

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Put, $"{path}/users/u2", new { user = new { name = "u3" } }));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Get, $"{path}/users/u2"));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Delete, $"{path}/users/u3"));
        Assert.Equal(["app"], Names((await GetAsync($"{path}/users"))["users"]!));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Delete, $"{path}/users/u3"));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(HttpMethod.Post, $"{path}/users", new { users = new[] { new { name = "nopw" } } }));

        // root: off until enabled, then its password works over TCP, and disabling takes it away
        Assert.False((bool)(await GetAsync($"{path}/root"))["rootEnabled"]!);
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Delete, $"{path}/root"));
        var root = (await (await Node.Http.PostAsync($"{path}/root", null)).Content.ReadFromJsonAsync<JsonObject>())!["user"]!;
        Assert.Equal(rootName, (string?)root["name"]);
        Assert.Equal(1, await SelectOneAsync(instance, rootName, (string)root["password"]!, rootDatabase));
        Assert.True((bool)(await GetAsync($"{path}/root"))["rootEnabled"]!);
        Assert.Equal(HttpStatusCode.NoContent, await SendAsync(HttpMethod.Delete, $"{path}/root"));
        await Assert.ThrowsAnyAsync<Exception>(() => SelectOneAsync(instance, rootName, (string)root["password"]!, rootDatabase));
        Assert.True((bool)(await GetAsync($"{path}/root"))["rootEnabled"]!); // upstream: "root was ever enabled"

        // actions and update
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Post, $"{path}/action", new { restart = new { } }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await SendAsync(HttpMethod.Post, $"{path}/action", new { restart = new { } }));
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(60));
        Assert.Equal(1, await SelectOneAsync(instance, "app", PostgresInstanceTests.Password, "appdb"));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(HttpMethod.Post, $"{path}/action", new { explode = new { } }));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Post, $"{path}/action", new { reset_status = new { } }));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Put, path, new { instance = new { name = "renamed" } }));
        Assert.Equal("renamed", (string?)(await Node.ShowAsync("demo", id))!["name"]);
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Get, $"v1.0/demo/instances/{Guid.NewGuid()}/users"));

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync(HttpMethod.Delete, path));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Node.ShowAsync("demo", id) is not null && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Null(await Node.ShowAsync("demo", id));
        Assert.Empty(Node.ProcessesInServers(id)); // the guest and its engine are gone
    }
}
