using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.EndToEnd;

/// <summary>Configuration groups applied to a real engine: dynamic values at once, others after a restart.</summary>
[Collection("node")]
public sealed class ConfigurationTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    private static async Task<string> ShowAsync(JsonObject instance, string parameter) =>
        (string)(await EngineClient.ScalarAsync(instance, $"SHOW {parameter}"))!;

    private async Task<string> CreateGroupAsync(string name, object values)
    {
        var response = await Node.Http.PostAsJsonAsync("v1.0/demo/configurations",
            new { configuration = new { name, values, datastore = new { type = "postgresql", version = "15" } } });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["configuration"]!["id"]!;
    }

    private Task<HttpResponseMessage> SetConfigurationAsync(string instanceId, string? groupId) =>
        Node.Http.PutAsJsonAsync($"v1.0/demo/instances/{instanceId}", new { instance = new { configuration = groupId } });

    /// <summary>One value of <c>GET /instances/{id}/configuration</c> (troveclient's <c>instances.configuration()</c>).</summary>
    private async Task<string?> EngineValueAsync(string instanceId, string parameter)
    {
        var response = await Node.Http.GetAsync($"v1.0/demo/instances/{instanceId}/configuration");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["instance"]!["configuration"]![parameter];
    }

    [Fact]
    public async Task A_dynamic_value_applies_at_once_and_a_restart_required_one_after_a_restart()
    {
        var parameters = (await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/datastores/postgresql/versions/15/parameters"))!["configuration-parameters"]!.AsArray();
        Assert.Contains(parameters, p => (string?)p!["name"] == "max_connections" && (bool)p["restart_required"]! && (string?)p["type"] == "integer");
        Assert.False((bool)(await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/datastores/postgresql/versions/15/parameters/work_mem"))!["restart_required"]!);

        var created = await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("pg-config"));
        var id = (string)created["id"]!;
        var instance = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));

        var dynamic = await CreateGroupAsync("fast-sorts", new { work_mem = 8192 });
        // upstream's view, whose datastore_version_id the client's configuration create/show reads
        var group = (await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/configurations/{dynamic}"))!["configuration"]!;
        var version = (await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/datastores/postgresql/versions/15"))!["version"]!;
        Assert.Equal((string?)version["id"], (string?)group["datastore_version_id"]);
        Assert.NotNull((string?)group["datastore_version_id"]);
        Assert.Equal((string?)group["datastore_version_id"],
            (string?)(await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/configurations"))!["configurations"]!.AsArray().Single(c => (string?)c!["id"] == dynamic)!["datastore_version_id"]);
        Assert.Equal(HttpStatusCode.Accepted, (await SetConfigurationAsync(id, dynamic)).StatusCode);
        Assert.Equal("ACTIVE", (string?)(await Node.ShowAsync("demo", id))!["status"]);
        Assert.Equal("8MB", await ShowAsync(instance, "work_mem"));
        var attached = (await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/configurations/{dynamic}/instances"))!;
        // The list of a group's instances reads the read model, which follows within moments.
        for (var i = 0; i < 50 && attached["instances"]!.AsArray().Count == 0; i++)
        {
            await Task.Delay(100);
            attached = (await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/configurations/{dynamic}/instances"))!;
        }
        Assert.Equal(id, (string?)attached["instances"]![0]!["id"]);

        // Shown as upstream's detail view does, in show and in the detail list; the engine's values include the group's.
        var shown = (await Node.ShowAsync("demo", id))!;
        Assert.Equal(dynamic, (string?)shown["configuration"]!["id"]);
        Assert.Equal("fast-sorts", (string?)shown["configuration"]!["name"]);
        Assert.EndsWith($"/v1.0/demo/configurations/{dynamic}", (string?)shown["configuration"]!["links"]![0]!["href"]);
        var detail = (await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/instances/detail"))!["instances"]!.AsArray().Single(i => (string?)i!["id"] == id)!;
        Assert.Equal(shown["configuration"]!.ToJsonString(), detail["configuration"]!.ToJsonString());
        Assert.Null((await Node.Http.GetFromJsonAsync<JsonObject>("v1.0/demo/instances"))!["instances"]!.AsArray().Single(i => (string?)i!["id"] == id)!["configuration"]);
        Assert.Equal("8192", await EngineValueAsync(id, "work_mem"));
        Assert.Equal("100", await EngineValueAsync(id, "max_connections"));
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"v1.0/demo/instances/{Guid.NewGuid()}/configuration")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Client("other").GetAsync($"v1.0/other/instances/{id}/configuration")).StatusCode);

        // Changing the group's values reaches the attached instance.
        Assert.Equal(HttpStatusCode.OK, (await Node.Http.PatchAsJsonAsync($"v1.0/demo/configurations/{dynamic}",
            new { configuration = new { values = new { work_mem = 16384 } } })).StatusCode);
        Assert.Equal("16MB", await ShowAsync(instance, "work_mem"));
        Assert.Equal(HttpStatusCode.BadRequest, (await Node.Http.DeleteAsync($"v1.0/demo/configurations/{dynamic}")).StatusCode);

        var restart = await CreateGroupAsync("more-connections", new { max_connections = 123 });
        Assert.Equal(HttpStatusCode.BadRequest, (await SetConfigurationAsync(id, restart)).StatusCode); // one group at a time
        Assert.Equal(HttpStatusCode.Accepted, (await SetConfigurationAsync(id, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await SetConfigurationAsync(id, restart)).StatusCode);
        Assert.Equal("RESTART_REQUIRED", (string?)(await Node.ShowAsync("demo", id))!["status"]);
        Assert.Equal("100", await ShowAsync(instance, "max_connections"));
        Assert.Equal("more-connections", (string?)(await Node.ShowAsync("demo", id))!["configuration"]!["name"]);
        Assert.Equal("100", await EngineValueAsync(id, "max_connections")); // effective: the new value waits for the restart

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.PostAsJsonAsync($"v1.0/demo/instances/{id}/action", new { restart = new { } })).StatusCode);
        await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(60));
        Assert.Equal("123", await ShowAsync(instance, "max_connections"));
        Assert.Equal("4MB", await ShowAsync(instance, "work_mem")); // the detached group's value is gone
        Assert.Equal("123", await EngineValueAsync(id, "max_connections"));
        Assert.Null(await EngineValueAsync(id, "work_mem"));

        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_group_given_at_create_is_in_effect_once_the_instance_is_active_restart_required_values_included()
    {
        var group = await CreateGroupAsync("at-create", new { work_mem = 8192, max_connections = 77 });
        var body = PostgresInstanceTests.CreateBody("pg-config-at-create");
        var json = System.Text.Json.JsonSerializer.SerializeToNode(body)!;
        json["instance"]!["configuration"] = group;
        var created = await Node.CreateInstanceAsync("demo", json);
        var id = (string)created["id"]!;
        Assert.Equal(group, (string?)created["configuration"]?["id"]);

        var instance = await Node.WaitForStatusAsync("demo", id, "ACTIVE", TimeSpan.FromSeconds(90));
        Assert.Equal(group, (string?)instance["configuration"]!["id"]);
        Assert.Equal("8MB", await ShowAsync(instance, "work_mem"));
        Assert.Equal("77", await ShowAsync(instance, "max_connections")); // needs a restart: the build restarted the engine
        Assert.Equal("77", await EngineValueAsync(id, "max_connections"));

        Assert.Equal(HttpStatusCode.BadRequest, (await Node.Http.DeleteAsync($"v1.0/demo/configurations/{group}")).StatusCode); // in use
        Assert.Equal(HttpStatusCode.Accepted, (await SetConfigurationAsync(id, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"max_connections": "many"}""", "integer")]
    [InlineData("""{"max_connections": 0}""", "between")]
    [InlineData("""{"random_page_cost": "x"}""", "number")]
    [InlineData("""{"autovacuum": 1}""", "true or false")]
    [InlineData("""{"no_such_parameter": 1}""", "not supported")]
    public async Task Wrong_types_out_of_range_values_and_unknown_parameters_are_refused(string values, string message)
    {
        var body = "{\"configuration\": {\"name\": \"bad\", \"values\": " + values + ", \"datastore\": {\"type\": \"postgresql\", \"version\": \"15\"}}}";
        var response = await Node.Http.PostAsync("v1.0/demo/configurations", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["message"]);
    }
}
