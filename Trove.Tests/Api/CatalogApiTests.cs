using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Trove.Tests.Support;

namespace Trove.Tests.Api;

[Collection("node")]
public sealed class CatalogApiTests(NodeFixture fixture)
{
    private HttpClient Http => fixture.Node.Http;

    private async Task<JsonObject> GetJsonAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await Http.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task The_version_documents_list_v1()
    {
        var versions = await GetJsonAsync("/");
        Assert.Equal("v1.0", (string?)versions["versions"]![0]!["id"]);
        Assert.Equal("CURRENT", (string?)(await GetJsonAsync("/v1.0/"))["version"]!["status"]);
    }

    [Fact]
    public async Task Flavors_list_and_show()
    {
        var flavors = (await GetJsonAsync("/v1.0/demo/flavors"))["flavors"]!.AsArray();
        Assert.Contains(flavors, f => (string?)f!["name"] == "small" && (int?)f["ram"] == 512);
        Assert.Equal("small", (string?)(await GetJsonAsync("/v1.0/demo/flavors/small"))["flavor"]!["name"]);
        var missing = await GetJsonAsync("/v1.0/demo/flavors/huge", HttpStatusCode.NotFound);
        Assert.Equal(404, (int?)missing["itemNotFound"]!["code"]);
    }

    [Fact]
    public async Task Datastores_and_their_versions_by_name_or_id()
    {
        var datastores = (await GetJsonAsync("/v1.0/demo/datastores"))["datastores"]!.AsArray();
        var postgres = datastores.Single(d => (string?)d!["name"] == "postgresql")!;
        var versionId = (string)postgres["versions"]![0]!["id"]!;
        Assert.Equal(versionId, (string?)postgres["default_version"]);

        Assert.Equal("postgresql", (string?)(await GetJsonAsync($"/v1.0/demo/datastores/{postgres["id"]}"))["datastore"]!["name"]);
        Assert.Equal("15", (string?)(await GetJsonAsync("/v1.0/demo/datastores/postgresql/versions"))["versions"]![0]!["name"]);
        Assert.Equal("15", (string?)(await GetJsonAsync("/v1.0/demo/datastores/postgresql/versions/15"))["version"]!["name"]);
        Assert.Equal("15", (string?)(await GetJsonAsync($"/v1.0/demo/datastores/versions/{versionId}"))["version"]!["name"]);
        await GetJsonAsync("/v1.0/demo/datastores/oracle", HttpStatusCode.NotFound);
        await GetJsonAsync("/v1.0/demo/datastores/postgresql/versions/9", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_unknown_route_answers_trove_s_not_found_body()
    {
        var body = await GetJsonAsync("/v1.0/demo/no-such-thing", HttpStatusCode.NotFound);
        Assert.NotNull(body["itemNotFound"]!["message"]);
    }
}
