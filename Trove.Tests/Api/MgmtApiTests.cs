using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

/// <summary>The operator's catalog side of the management API against a real node: a datastore version's configuration
/// parameters (which the tenant's parameter list and the validation of configuration groups follow), a version's delete,
/// <c>/extensions</c>, and the refusal of every one of them to a non-admin in Trove's error format.</summary>
[Collection("node")]
public sealed class MgmtApiTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;
    private HttpClient Admin => Node.Client("admin");

    [Theory]
    [InlineData("GET", "v1.0/demo/mgmt/instances")]
    [InlineData("GET", "v1.0/demo/extensions")]
    [InlineData("GET", "v1.0/demo/mgmt/datastores/versions/x/parameters")]
    [InlineData("DELETE", "v1.0/demo/mgmt/datastore-versions/x")]
    [InlineData("GET", "v1.0/demo/mgmt/instances/x/rpc_ping")]
    public async Task A_non_admin_is_refused_403_in_trove_s_format(string method, string path)
    {
        var response = await Node.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(403, (int?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["forbidden"]!["code"]);
    }

    [Fact]
    public async Task Extensions_list_the_mgmt_extension()
    {
        var extensions = (await Admin.GetFromJsonAsync<JsonObject>("v1.0/admin/extensions"))!["extensions"]!.AsArray();
        Assert.Contains(extensions, e => (string?)e!["alias"] == "Mgmt" && (string?)e["name"] == "Mgmt");
        Assert.Equal("Mgmt", (string?)(await Admin.GetFromJsonAsync<JsonObject>("v1.0/admin/extensions/Mgmt"))!["extension"]!["alias"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("v1.0/admin/extensions/Nope")).StatusCode);
    }

    [Fact]
    public async Task An_admin_adds_changes_and_removes_a_version_s_parameters_and_the_tenant_s_groups_follow_them()
    {
        var versionId = await AddVersionAsync("15-params");
        var parameters = $"v1.0/admin/mgmt/datastores/versions/{versionId}/parameters";

        // Added: listed for the admin and the tenant, and a group of that version may use it within its range.
        var added = await Admin.PostAsJsonAsync(parameters, Parameter("trove_test_knob", restartRequired: 1, "integer", min: 1, max: 10));
        Assert.True(added.StatusCode == HttpStatusCode.OK, await added.Content.ReadAsStringAsync());
        var view = (await added.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(("trove_test_knob", versionId, true, "integer", 10.0, 1.0),
            ((string?)view["name"], (string?)view["datastore_version_id"], (bool?)view["restart_required"], (string?)view["type"], (double?)view["max_size"], (double?)view["min_size"]));
        var listed = (await Admin.GetFromJsonAsync<JsonObject>(parameters))!["configuration-parameters"]!.AsArray();
        Assert.Contains(listed, p => (string?)p!["name"] == "trove_test_knob");
        Assert.Contains(listed, p => (string?)p!["name"] == "max_connections"); // the datastore's own rules stay
        Assert.Equal("integer", (string?)(await Node.Http.GetFromJsonAsync<JsonObject>($"v1.0/demo/datastores/versions/{versionId}/parameters/trove_test_knob"))!["type"]);
        Assert.Equal(HttpStatusCode.OK, (await CreateGroupAsync("15-params", 5)).StatusCode);
        await AssertBadRequestAsync(await CreateGroupAsync("15-params", 11));
        // Another version of the datastore does not have it.
        await AssertBadRequestAsync(await CreateGroupAsync("15", 5));

        // A second add is a conflict; a change widens the range; bad bodies change nothing.
        Assert.Equal(HttpStatusCode.Conflict, (await Admin.PostAsJsonAsync(parameters, Parameter("trove_test_knob", 0, "integer", 1, 10))).StatusCode);
        await AssertBadRequestAsync(await Admin.PostAsJsonAsync(parameters, new { configuration_parameter = new { } }));
        await AssertBadRequestAsync(await Admin.PostAsJsonAsync(parameters, Parameter("trove_other", 0, "integer", min: null, max: 10)));
        await AssertBadRequestAsync(await Admin.PostAsJsonAsync(parameters, Parameter("trove_other", 0, "integer", min: 10, max: 1)));
        await AssertBadRequestAsync(await Admin.PostAsJsonAsync(parameters, Parameter("trove_other", 0, "color", min: null, max: null)));
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync($"{parameters}/trove_other")).StatusCode);
        var changed = await Admin.PutAsJsonAsync($"{parameters}/trove_test_knob", Parameter(null, 0, "integer", 1, 20));
        Assert.True(changed.StatusCode == HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        Assert.False((bool?)(await Admin.GetFromJsonAsync<JsonObject>($"{parameters}/trove_test_knob"))!["restart_required"]);
        Assert.Equal(HttpStatusCode.OK, (await CreateGroupAsync("15-params", 11)).StatusCode);

        // Removed: gone for the tenant and from validation; a second delete is upstream's 400. A file rule can go too.
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"{parameters}/trove_test_knob")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"v1.0/demo/datastores/versions/{versionId}/parameters/trove_test_knob")).StatusCode);
        await AssertBadRequestAsync(await CreateGroupAsync("15-params", 5));
        await AssertBadRequestAsync(await Admin.DeleteAsync($"{parameters}/trove_test_knob"));
        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"{parameters}/work_mem")).StatusCode);
        Assert.DoesNotContain((await Admin.GetFromJsonAsync<JsonObject>(parameters))!["configuration-parameters"]!.AsArray(), p => (string?)p!["name"] == "work_mem");
        Assert.Contains((await Admin.GetFromJsonAsync<JsonObject>($"v1.0/admin/datastores/versions/15/parameters"))!["configuration-parameters"]!.AsArray(),
            p => (string?)p!["name"] == "work_mem");
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync("v1.0/admin/mgmt/datastores/versions/no-such-version/parameters")).StatusCode);
    }

    [Fact]
    public async Task A_version_is_deleted_only_once_nothing_uses_it()
    {
        var versionId = await AddVersionAsync("15-doomed");
        var group = await CreateGroupAsync("15-doomed", null);
        Assert.True(group.StatusCode == HttpStatusCode.OK, await group.Content.ReadAsStringAsync());
        var groupId = (string)(await group.Content.ReadFromJsonAsync<JsonObject>())!["configuration"]!["id"]!;

        var refused = await Admin.DeleteAsync($"v1.0/admin/mgmt/datastore-versions/{versionId}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Datastore version is in use by configuration.", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["badRequest"]!["message"]);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync($"v1.0/admin/mgmt/datastore-versions/{versionId}")).StatusCode);

        Assert.True((await Node.Http.DeleteAsync($"v1.0/demo/configurations/{groupId}")).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Admin.DeleteAsync($"v1.0/admin/mgmt/datastore-versions/{versionId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.GetAsync($"v1.0/admin/mgmt/datastore-versions/{versionId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Node.Http.GetAsync($"v1.0/demo/datastores/postgresql/versions/15-doomed")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.DeleteAsync($"v1.0/admin/mgmt/datastore-versions/{versionId}")).StatusCode);
    }

    private async Task<string> AddVersionAsync(string name)
    {
        var added = await Admin.PostAsJsonAsync("v1.0/admin/mgmt/datastore-versions",
            new { version = new { name, datastore_manager = "postgresql", datastore_name = "postgresql", active = true } });
        Assert.True(added.StatusCode == HttpStatusCode.Accepted, await added.Content.ReadAsStringAsync());
        var versions = (await Admin.GetFromJsonAsync<JsonObject>("v1.0/admin/mgmt/datastore-versions"))!["versions"]!.AsArray();
        return (string)versions.Single(v => (string?)v!["name"] == name)!["id"]!;
    }

    private static Dictionary<string, object> Parameter(string? name, int restartRequired, string dataType, int? min, int? max)
    {
        var fields = new Dictionary<string, object?> { ["name"] = name, ["restart_required"] = restartRequired, ["data_type"] = dataType };
        if (min is not null)
            fields["min_size"] = min;
        if (max is not null)
            fields["max_size"] = max;
        if (name is null)
            fields.Remove("name");
        return new Dictionary<string, object> { ["configuration-parameter"] = fields };
    }

    private Task<HttpResponseMessage> CreateGroupAsync(string version, int? knob) =>
        Node.Http.PostAsJsonAsync("v1.0/demo/configurations", new
        {
            configuration = new
            {
                name = $"mgmt-{Guid.NewGuid():N}"[..20],
                values = knob is { } value ? new Dictionary<string, object> { ["trove_test_knob"] = value } : new Dictionary<string, object> { ["max_connections"] = 50 },
                datastore = new { type = "postgresql", version },
            },
        });

    private static async Task AssertBadRequestAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        Assert.Equal(400, (int?)JsonNode.Parse(body)!["badRequest"]!["code"]);
    }
}
