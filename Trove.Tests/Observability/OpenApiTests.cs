using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Trove.Tests.EndToEnd;
using Trove.Tests.Security;
using Trove.Tests.Support;

namespace Trove.Tests.Observability;

/// <summary>
/// The OpenAPI document a node serves describes every route it maps (read from the app's own endpoint list, so a route
/// added tomorrow must appear), and the routes that document their answer answer what their schema says: the real
/// answers of a node are checked against it, both ways (<see cref="SchemaCheck"/>). The reference page serves its
/// script itself and names no outside address.
/// </summary>
[Collection("node")]
public sealed partial class OpenApiTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    /// <summary>GET routes whose answer has a schema of its own; {id} is an instance made by the test.</summary>
    private static readonly string[] Documented =
    [
        "/", "/v1.0", "/v1.0/{tenantId}/flavors", "/v1.0/{tenantId}/flavors/{id}", "/v1.0/{tenantId}/datastores",
        "/v1.0/{tenantId}/instances", "/v1.0/{tenantId}/instances/detail", "/v1.0/{tenantId}/instances/{id}",
    ];

    private async Task<JsonObject> DocumentAsync()
    {
        using var anonymous = Node.Anonymous();
        var response = await anonymous.GetAsync("openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Every_mapped_route_is_in_the_document_with_its_method()
    {
        var paths = (await DocumentAsync())["paths"]!.AsObject();
        var routes = ApiRoutes.All.Where(r => !r.IsOperatorRoute).ToList();
        Assert.NotEmpty(routes);
        var missing = routes.Where(r => paths[r.Template]?[r.Method.ToLowerInvariant()] is null).Select(r => r.ToString()).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} routes are not in /openapi/v1.json:\n{string.Join('\n', missing)}");
    }

    [Fact]
    public async Task The_documented_answers_of_a_real_node_match_their_schemas()
    {
        var document = await DocumentAsync();
        var check = new SchemaCheck(document);
        var id = (string)(await Node.CreateInstanceAsync("demo", PostgresInstanceTests.CreateBody("openapi")))["id"]!;
        var values = new Dictionary<string, string> { ["tenantId"] = "demo", ["id"] = id };
        var problems = new List<string>();
        foreach (var template in Documented)
        {
            var schema = document["paths"]![template]?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"];
            Assert.True(schema?["$ref"] is not null && !((string)schema["$ref"]!).EndsWith("/JsonObject"), $"GET {template} documents no shape of its own");
            var path = Parameter().Replace(template, m => values[m.Groups[1].Value]);
            if (template == "/v1.0/{tenantId}/flavors/{id}")
                path = "/v1.0/demo/flavors/small";
            var response = await Node.Http.GetAsync(path.TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonNode>();
            problems.AddRange(check.Problems(body, schema!).Select(p => $"GET {template}: {p}"));
        }
        await Node.Http.DeleteAsync($"v1.0/demo/instances/{id}");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_check_finds_a_missing_an_extra_and_a_retyped_field()
    {
        var document = JsonNode.Parse("""
            {"components": {"schemas": {"Thing": {"type": "object", "required": ["id"],
              "properties": {"id": {"type": "string"}, "size": {"type": ["integer", "string"]}, "note": {"type": ["null", "string"]}}}}}}
            """)!.AsObject();
        var check = new SchemaCheck(document);
        var schema = JsonNode.Parse("""{"$ref": "#/components/schemas/Thing"}""")!;
        Assert.Empty(check.Problems(JsonNode.Parse("""{"id": "a", "size": 2, "note": null}"""), schema));
        Assert.Single(check.Problems(JsonNode.Parse("""{"size": 2}"""), schema));
        Assert.Single(check.Problems(JsonNode.Parse("""{"id": "a", "colour": "red"}"""), schema));
        Assert.Single(check.Problems(JsonNode.Parse("""{"id": "a", "size": 2.5}"""), schema));
        Assert.Single(check.Problems(JsonNode.Parse("""{"id": 1}"""), schema));
    }

    [Fact]
    public async Task The_reference_page_loads_its_script_from_the_node_and_names_no_outside_address()
    {
        using var anonymous = Node.Anonymous();
        var page = await anonymous.GetAsync("docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html);
        Assert.DoesNotMatch(new Regex("https?://", RegexOptions.IgnoreCase), html);
        foreach (Match script in ScriptSource().Matches(html))
        {
            var response = await anonymous.GetAsync($"docs/{script.Groups[1].Value}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"docs/{script.Groups[1].Value}: {(int)response.StatusCode}");
        }
        Assert.True(ScriptSource().Matches(html).Count >= 1, html);
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Parameter();

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
