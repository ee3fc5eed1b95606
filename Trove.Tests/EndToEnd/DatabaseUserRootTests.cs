using Trove.Contracts.Datastores;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Guest;
using Trove.Tests.Support;
using Trove.Web.Validation;
using Trove.Contracts.Guests;

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
    [InlineData("postgresql", "15", "root", "postgres")]
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

        await AssertReservedUsersRefusedAsync(datastore, version, id, rootName, rootDatabase, instance);

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
        // a superuser's statement: only a superuser makes another one
        Assert.Equal(1, Convert.ToInt32(await EngineClient.ScalarAsync(instance, datastore == "postgresql"
            ? "CREATE ROLE probe_superuser SUPERUSER; DROP ROLE probe_superuser; SELECT 1"
            : "CREATE USER 'probe_superuser'@'localhost'; GRANT ALL ON *.* TO 'probe_superuser'@'localhost' WITH GRANT OPTION; DROP USER 'probe_superuser'@'localhost'; SELECT 1",
            rootName, (string)root["password"]!, rootDatabase)));
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

    /// <summary>Every route that creates or changes a user, from the app's own endpoint list, and the instance create
    /// that takes users.</summary>
    private static List<(string Method, string Pattern)> UserRoutes() =>
        Trove.Tests.Security.ApiRoutes.All
            .Select(r => (r.Method, Pattern: r.Template.TrimEnd('/')))
            .Where(r => r.Method != "GET" && (r.Pattern.Contains("/users") || r.Pattern.EndsWith("/instances")))
            .Distinct()
            .ToList();

    /// <summary>Each user route × each reserved user of the datastore answers 400 in Trove's format and changes nothing:
    /// MariaDB's socket-only root@localhost in particular never becomes a remote root with a password.</summary>
    private async Task AssertReservedUsersRefusedAsync(string datastore, string version, string id, string rootName, string rootDatabase, JsonObject instance)
    {
        const string password = "Reserved-user-pw-7";
        var host = datastore == "mariadb" ? "localhost" : null;
        var routes = UserRoutes();
        Assert.Contains(("PUT", "/v1.0/{tenantId}/instances/{id}/users/{user}"), routes); // the walk sees the app's routes
        foreach (var name in ReservedUserCalls.Names(DatastoreProfiles.Of(datastore).ReservedUsers))
        {
            var reserved = Uri.EscapeDataString(host is null ? name : $"{name}@{host}");
            foreach (var (method, pattern) in routes)
            {
                // the user in the path, and the body
                (string User, object? Body)[] requests = (method, pattern.Split('/')[^1]) switch
                {
                    ("POST", "instances") => [(reserved, new { instance = new { name = "reserved", flavorRef = "small", volume = new { size = 1 },
                        datastore = new { type = datastore, version }, users = new[] { new { name, password, host } } } })],
                    ("POST" or "PUT", "users") => [(reserved, new { users = new[] { new { name, password, host } } })],
                    // a password and host change of the reserved user, and a tenant's user renamed to it
                    ("PUT", "{user}") => [(reserved, new { user = new { host = "%", password } }), ("app", new { user = new { name } })],
                    ("DELETE", "{user}") or ("DELETE", "{database}") => [(reserved, null)],
                    ("PUT", "databases") => [(reserved, new { databases = new[] { new { name = "appdb" } } })],
                    _ => throw new InvalidOperationException($"no reserved-user request for {method} {pattern}: add one"),
                };
                foreach (var (user, body) in requests)
                {
                    var path = pattern.Replace("{tenantId}", "demo").Replace("{id}", id).Replace("{user}", user).Replace("{database}", "appdb").TrimStart('/');
                    using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonContent.Create(body) };
                    var response = await Node.Http.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} {body}: {(int)response.StatusCode} {text}");
                    var error = JsonNode.Parse(text)!["badRequest"]!;
                    Assert.Equal(400, (int?)error["code"]);
                    Assert.Contains("reserved", (string?)error["message"]);
                }
            }
        }
        Assert.Equal(["app"], Names((await GetAsync($"v1.0/demo/instances/{id}/users"))["users"]!));
        Assert.False((bool)(await GetAsync($"v1.0/demo/instances/{id}/root"))["rootEnabled"]!);
        await Assert.ThrowsAnyAsync<Exception>(() => SelectOneAsync(instance, rootName, password, rootDatabase));
        Assert.Equal(1, await SelectOneAsync(instance, "app", PostgresInstanceTests.Password, "appdb"));
    }
}
