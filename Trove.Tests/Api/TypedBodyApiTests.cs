using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Trove.Tests.EndToEnd;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>Every typed request body of the instance, action, backup, configuration, database and user routes, given bad
/// input against a real ACTIVE instance and a real configuration group: Trove's error body with the right code, and
/// nothing of the tenant's changed (the instance, its databases and users, its backups, its configuration groups).</summary>
[Collection("node")]
public sealed class TypedBodyApiTests(NodeFixture fixture)
{
    private const string Tenant = "typed";
    private static readonly string TooLong = new('x', 1025);

    private TroveNode Node => fixture.Node;
    private HttpClient Client => Node.Client(Tenant);

    /// <summary>Method, path (<c>{id}</c> is the instance, <c>{group}</c> the configuration group), body, and the answer:
    /// code, fault name, a part of the message.</summary>
    public static readonly (string Method, string Path, string Body, int Code, string Fault, string Message)[] BadBodies =
    [
        // PUT/PATCH /instances/{id}
        ("PUT", "instances/{id}", "{}", 400, "badRequest", "'instance'"),
        ("PUT", "instances/{id}", """{"instance": []}""", 400, "badRequest", "'instance' object"),
        ("PUT", "instances/{id}", """{"instance": {}}""", 400, "badRequest", "'name' is required"),
        ("PUT", "instances/{id}", """{"instance": {"name": 5}}""", 400, "badRequest", "'name' must be a string"),
        ("PATCH", "instances/{id}", """{"instance": {"name": " "}}""", 400, "badRequest", "'name' must be 1 to 255"),
        ("PUT", "instances/{id}", """{"instance": {"name": "x", "name": "y"}}""", 400, "badRequest", "Malformed"),
        ("PUT", "instances/{id}", """{"instance": {"flavor": "medium"}}""", 400, "badRequest", "'flavor' is not an attribute"),
        ("PUT", "instances/{id}", """{"instance": {"name": "x", "configuration": "{group}"}}""", 400, "badRequest", "on its own"),
        ("PUT", "instances/{id}", """{"instance": {"configuration": 5}}""", 400, "badRequest", "'configuration' must be a string"),
        ("PUT", "instances/{id}", """{"instance": {"datastore_version": "16"}}""", 501, "notImplemented", "'datastore_version'"),
        ("PUT", "instances/{id}", """{"instance": {"replica_of": "abc"}}""", 400, "badRequest", "'replica_of' can only be removed"),
        ("PUT", "instances/{id}", """{"instance": {"replica_of": null, "name": "x"}}""", 400, "badRequest", "'replica_of' is changed on its own"),
        ("PUT", "instances/{id}", """{"instance": {"replica_of": null, "slave_of": null}}""", 400, "badRequest", "is not a replica."),
        ("PATCH", "instances/{id}", """{"instance": {"slave_of": null}}""", 400, "badRequest", "is not a replica."),
        // POST /instances/{id}/action
        ("POST", "instances/{id}/action", "{}", 400, "badRequest", "exactly one action"),
        ("POST", "instances/{id}/action", "[]", 400, "badRequest", "JSON object"),
        ("POST", "instances/{id}/action", """{"restart": {}, "resize": {"flavorRef": "medium"}}""", 400, "badRequest", "exactly one action"),
        ("POST", "instances/{id}/action", """{"reboot": {}}""", 400, "badRequest", "'reboot' is not an instance action"),
        ("POST", "instances/{id}/action", """{"promote_to_replica_source": {}, "restart": {}}""", 400, "badRequest", "exactly one action"),
        ("POST", "instances/{id}/action", """{"promote_to_replica_source": {}}""", 400, "badRequest", "is not a replica."),
        ("POST", "instances/{id}/action", """{"eject_replica_source": {}}""", 400, "badRequest", "is not a replica source."),
        ("POST", "instances/{id}/action", """{"reset_status": {}}""", 403, "forbidden", "admin"),
        ("POST", "instances/{id}/action", """{"resize": {}}""", 400, "badRequest", "exactly one of"),
        ("POST", "instances/{id}/action", """{"resize": {"volume": {"size": 2}, "flavorRef": "medium"}}""", 400, "badRequest", "exactly one of"),
        ("POST", "instances/{id}/action", """{"resize": {"volume": 2}}""", 400, "badRequest", "'volume' object"),
        ("POST", "instances/{id}/action", """{"resize": {"volume": {"size": "two"}}}""", 400, "badRequest", "whole number"),
        ("POST", "instances/{id}/action", """{"resize": {"volume": {"size": 0}}}""", 400, "badRequest", "whole number"),
        ("POST", "instances/{id}/action", """{"resize": {"volume": {"size": 1}}}""", 400, "badRequest", "larger than the current 1"),
        ("POST", "instances/{id}/action", """{"resize": {"volume": {"size": 500}}}""", 400, "badRequest", "maximum"),
        ("POST", "instances/{id}/action", """{"resize": {"flavorRef": "small"}}""", 400, "badRequest", "already has flavor 'small'"),
        ("POST", "instances/{id}/action", """{"resize": {"flavorRef": "huge"}}""", 404, "itemNotFound", "Flavor 'huge'"),
        ("POST", "instances/{id}/action", """{"resize": {"flavorRef": ["medium"]}}""", 400, "badRequest", "'flavorRef' must be a string or a number"),
        // POST /backups
        ("POST", "backups", "{}", 400, "badRequest", "'backup'"),
        ("POST", "backups", """{"backup": {"instance": "{id}"}}""", 400, "badRequest", "'name' is required"),
        ("POST", "backups", """{"backup": {"name": "b"}}""", 400, "badRequest", "'instance' is required"),
        ("POST", "backups", """{"backup": {"name": "b", "instance": 7}}""", 400, "badRequest", "'instance' must be a string"),
        ("POST", "backups", """{"backup": {"name": "b", "instance": "{id}", "incremental": "yes"}}""", 400, "badRequest", "'incremental' must be 0, 1, true or false"),
        ("POST", "backups", """{"backup": {"name": "b", "instance": "{id}", "incremental": 2}}""", 400, "badRequest", "'incremental' must be 0, 1, true or false"),
        ("POST", "backups", $$$"""{"backup": {"name": "b", "instance": "{id}", "description": "{{{TooLong}}}"}}""", 400, "badRequest", "'description' must be at most"),
        // POST /configurations, PUT/PATCH /configurations/{group}
        ("POST", "configurations", "{}", 400, "badRequest", "'configuration'"),
        ("POST", "configurations", """{"configuration": {"values": {}}}""", 400, "badRequest", "'name' is required"),
        ("POST", "configurations", """{"configuration": {"name": "c"}}""", 400, "badRequest", "'values'"),
        ("POST", "configurations", """{"configuration": {"name": "c", "values": []}}""", 400, "badRequest", "'values'"),
        ("POST", "configurations", """{"configuration": {"name": "c", "values": {"no_such_parameter": 1}}}""", 400, "badRequest", "not supported"),
        ("POST", "configurations", """{"configuration": {"name": "c", "values": {"work_mem": "lots"}}}""", 400, "badRequest", "'work_mem'"),
        ("POST", "configurations", """{"configuration": {"name": "c", "datastore": {"type": "oracle"}, "values": {}}}""", 404, "itemNotFound", "'oracle'"),
        ("PATCH", "configurations/{group}", """{"configuration": {}}""", 400, "badRequest", "'values'"),
        ("PATCH", "configurations/{group}", """{"values": {"work_mem": 128}}""", 400, "badRequest", "'configuration'"),
        ("PUT", "configurations/{group}", """{"configuration": {"values": {"work_mem": 1}}}""", 400, "badRequest", "'work_mem'"),
        ("PUT", "configurations/{group}", """{"configuration": {"values": {"no_such_parameter": 1}}}""", 400, "badRequest", "not supported"),
        // POST /instances/{id}/databases
        ("POST", "instances/{id}/databases", "{}", 400, "badRequest", "'databases' list"),
        ("POST", "instances/{id}/databases", """{"databases": []}""", 400, "badRequest", "at least one"),
        ("POST", "instances/{id}/databases", """{"databases": {"name": "a"}}""", 400, "badRequest", "'databases' must be a list"),
        ("POST", "instances/{id}/databases", """{"databases": [{}]}""", 400, "badRequest", "with a 'name'"),
        ("POST", "instances/{id}/databases", """{"databases": [{"name": "bad name;"}]}""", 400, "badRequest", "not a valid database name"),
        // POST and PUT /instances/{id}/users
        ("POST", "instances/{id}/users", "{}", 400, "badRequest", "'users' list"),
        ("POST", "instances/{id}/users", """{"users": []}""", 400, "badRequest", "at least one"),
        ("POST", "instances/{id}/users", """{"users": [1]}""", 400, "badRequest", "each of 'users' must be an object"),
        ("POST", "instances/{id}/users", """{"users": [{"name": "bob"}]}""", 400, "badRequest", "password"),
        ("POST", "instances/{id}/users", """{"users": [{"name": "1bob", "password": "pw"}]}""", 400, "badRequest", "not a valid user name"),
        ("PUT", "instances/{id}/users", """{"users": [{"name": "app"}]}""", 400, "badRequest", "password"),
        ("PUT", "instances/{id}/users", """{"users": [{"password": "pw"}]}""", 400, "badRequest", "'name' is required"),
        // PUT /instances/{id}/users/{user} and its databases
        ("PUT", "instances/{id}/users/app", "{}", 400, "badRequest", "'user'"),
        ("PUT", "instances/{id}/users/app", """{"user": {}}""", 400, "badRequest", "at least one"),
        ("PUT", "instances/{id}/users/app", """{"user": {"password": ""}}""", 400, "badRequest", "non-empty password"),
        ("PUT", "instances/{id}/users/app", """{"user": {"name": "1bad"}}""", 400, "badRequest", "not a valid user name"),
        ("PUT", "instances/{id}/users/app/databases", "{}", 400, "badRequest", "'databases' list"),
        ("PUT", "instances/{id}/users/app/databases", """{"databases": []}""", 400, "badRequest", "at least one"),
        ("PUT", "instances/{id}/users/app/databases", """{"databases": [{"name": "bad name;"}]}""", 400, "badRequest", "not a valid database name"),
        // names the instance's datastore (PostgreSQL) does not take, refused by its entity: reserved, too long, bad characters
        ("POST", "instances", """{"instance": {"name": "n", "flavorRef": "small", "volume": {"size": 1}, "datastore": {"type": "postgresql", "version": "15"}, "databases": [{"name": "template1"}]}}""", 400, "badRequest", "Database name 'template1' is reserved"),
        ("POST", "instances", """{"instance": {"name": "n", "flavorRef": "small", "volume": {"size": 1}, "datastore": {"type": "postgresql", "version": "15"}, "users": [{"name": "pg_monitor", "password": "pw-123456"}]}}""", 400, "badRequest", "User name 'pg_monitor' is reserved"),
        ("POST", "instances/{id}/databases", """{"databases": [{"name": "postgres"}]}""", 400, "badRequest", "Database name 'postgres' is reserved"),
        ("POST", "instances/{id}/databases", $$$"""{"databases": [{"name": "{{{new string('d', 64)}}}"}]}""", 400, "badRequest", "use 1 to 63"),
        ("POST", "instances/{id}/databases", """{"databases": [{"name": "a$b"}]}""", 400, "badRequest", "not a valid database name"),
        ("DELETE", "instances/{id}/databases/template1", "", 400, "badRequest", "Database name 'template1' is reserved"),
        ("POST", "instances/{id}/users", """{"users": [{"name": "postgres", "password": "pw-123456"}]}""", 400, "badRequest", "User name 'postgres' is reserved"),
        ("POST", "instances/{id}/users", $$$"""{"users": [{"name": "{{{new string('u', 64)}}}", "password": "pw-123456"}]}""", 400, "badRequest", "use 1 to 63"),
        ("PUT", "instances/{id}/users", """{"users": [{"name": "os_admin", "password": "pw-123456"}]}""", 400, "badRequest", "User name 'os_admin' is reserved"),
        ("PUT", "instances/{id}/users/app", """{"user": {"name": "pg_execute_server_program"}}""", 400, "badRequest", "is reserved"),
        ("PUT", "instances/{id}/users/postgres", """{"user": {"password": "pw-123456"}}""", 400, "badRequest", "User name 'postgres' is reserved"),
        ("DELETE", "instances/{id}/users/postgres", "", 400, "badRequest", "User name 'postgres' is reserved"),
        ("PUT", "instances/{id}/users/postgres/databases", """{"databases": [{"name": "appdb"}]}""", 400, "badRequest", "User name 'postgres' is reserved"),
        ("PUT", "instances/{id}/users/app/databases", """{"databases": [{"name": "template0"}]}""", 400, "badRequest", "Database name 'template0' is reserved"),
        ("DELETE", "instances/{id}/users/postgres/databases/appdb", "", 400, "badRequest", "User name 'postgres' is reserved"),
    ];

    [Fact]
    public async Task Every_typed_body_refuses_bad_input_with_trove_s_error_and_changes_nothing()
    {
        var instance = await Node.CreateInstanceAsync(Tenant, DatabaseUserRootTests.CreateBody("typed-bodies", "postgresql", "15"));
        var id = (string)instance["id"]!;
        await Node.WaitForStatusAsync(Tenant, id, "ACTIVE", TimeSpan.FromSeconds(90));
        var created = await Client.PostAsJsonAsync($"v1.0/{Tenant}/configurations",
            new { configuration = new { name = "typed-group", values = new { work_mem = 4096 } } });
        var group = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["configuration"]!["id"]!;
        var before = await TenantStateAsync(id);

        var failures = new List<string>();
        foreach (var (method, path, body, code, fault, message) in BadBodies)
        {
            var route = path.Replace("{id}", id).Replace("{group}", group);
            using var request = new HttpRequestMessage(new HttpMethod(method), $"v1.0/{Tenant}/{route}")
            {
                Content = new StringContent(body.Replace("{id}", id).Replace("{group}", group), Encoding.UTF8, "application/json"),
            };
            using var response = await Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var error = (JsonNode.Parse(text) as JsonObject)?[fault];
            if ((int)response.StatusCode != code || (int?)error?["code"] != code || (string?)error?["message"] is not { } said || !said.Contains(message))
                failures.Add($"{method} {path} {body}: expected {code} {fault} with \"{message}\", got {(int)response.StatusCode} {text}");
            else if (await TenantStateAsync(id) is var after && after != before)
                failures.Add($"{method} {path} {body} changed the tenant's state:\n{before}\n{after}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));

        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await Client.DeleteAsync($"v1.0/{Tenant}/instances/{id}")).StatusCode);
    }

    /// <summary>What a bad body could have changed: the tenant's instances, the instance as shown, its databases and users (asked of its guest),
    /// the tenant's backups and configuration groups with their values.</summary>
    private async Task<string> TenantStateAsync(string id)
    {
        var instance = (await Client.GetFromJsonAsync<JsonObject>($"v1.0/{Tenant}/instances/{id}"))!["instance"]!.AsObject();
        var shown = new JsonObject
        {
            ["name"] = instance["name"]?.DeepClone(), ["status"] = instance["status"]?.DeepClone(), ["flavor"] = instance["flavor"]?["id"]?.DeepClone(),
            ["volume"] = instance["volume"]?["size"]?.DeepClone(), ["configuration"] = instance["configuration"]?.DeepClone(),
        };
        var instances = (await Client.GetFromJsonAsync<JsonObject>($"v1.0/{Tenant}/instances"))!["instances"]!.AsArray();
        return string.Join('\n',
            shown.ToJsonString(),
            string.Join(',', instances.Select(i => (string?)i!["id"]).Order()),
            await Client.GetStringAsync($"v1.0/{Tenant}/instances/{id}/databases"),
            await Client.GetStringAsync($"v1.0/{Tenant}/instances/{id}/users"),
            await Client.GetStringAsync($"v1.0/{Tenant}/backups"),
            await Client.GetStringAsync($"v1.0/{Tenant}/configurations"));
    }
}
