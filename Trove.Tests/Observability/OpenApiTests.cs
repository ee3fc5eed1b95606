using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Trove.Tests.EndToEnd;
using Trove.Tests.Security;
using Trove.Tests.Support;
using Trove.Web.Errors;
using Trove.Web.Validation;

namespace Trove.Tests.Observability;

/// <summary>
/// The OpenAPI document a node serves describes every route it maps (read from the app's own endpoint list, so a route
/// added tomorrow must appear): for each, the answers its handler declares with their schemas, the body it reads as its
/// request record spells it, and its errors with the one error body. The real answers of a node are checked against it,
/// both ways (<see cref="SchemaCheck"/>). The reference page serves its script itself and names no outside address.
/// </summary>
[Collection("node")]
public sealed partial class OpenApiTests(NodeFixture fixture)
{
    private TroveNode Node => fixture.Node;

    private static IEnumerable<ApiRoute> Routes => ApiRoutes.All.Where(r => !r.IsOperatorRoute);

    /// <summary>The built-in identity service answers Keystone's error body; every other route Trove's.</summary>
    private static string ErrorSchemaOf(ApiRoute route) => route.Template.StartsWith("/v3", StringComparison.Ordinal) ? "KeystoneError" : "TroveErrorShape";

    /// <summary>The node's document, read once per node (it is made anew for each request, from every endpoint: on a loaded
    /// machine a minute was seen), each test given its own copy.</summary>
    private async Task<JsonObject> DocumentAsync() => (await Documents.GetOrAdd(Node, FetchAsync)).DeepClone().AsObject();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<TroveNode, Task<JsonObject>> Documents = new();

    private static async Task<JsonObject> FetchAsync(TroveNode node)
    {
        using var anonymous = node.Anonymous();
        anonymous.Timeout = TimeSpan.FromMinutes(3);
        var response = await anonymous.GetAsync("openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Every_mapped_route_documents_its_answers_its_body_and_its_errors()
    {
        var document = await DocumentAsync();
        var check = new SchemaCheck(document);
        var problems = new List<string>();
        Assert.NotEmpty(Routes);
        foreach (var route in Routes)
        {
            if (document["paths"]![route.Template]?[route.Method.ToLowerInvariant()] is not JsonObject operation)
            {
                problems.Add($"{route}: not in /openapi/v1.json");
                continue;
            }
            var responses = operation["responses"]?.AsObject() ?? [];
            foreach (var answer in RouteAnswers.Of(route.Handler!))
            {
                var content = responses[answer.Status.ToString()]?["content"];
                if (answer.ContentType is null)
                    continue;
                if (content?[answer.ContentType]?["schema"] is not { } schema)
                    problems.Add($"{route}: its {answer.Status} ({answer.ContentType}) has no schema");
                else if (answer.ContentType == RouteAnswer.Json && !IsShape(schema))
                    problems.Add($"{route}: its {answer.Status} is documented as {schema.ToJsonString()}, not a shape of its own");
            }
            if (RouteAnswers.BodyOf(route.Handler!) is { } record)
            {
                if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is not { } schema)
                    problems.Add($"{route}: reads a {record.Name} but documents no request body");
                else
                    problems.AddRange(NameProblems(RequestRecord(record), schema, check, "$").Select(p => $"{route} request: {p}"));
            }
            var errors = responses.Where(r => int.TryParse(r.Key, out var code) && code >= 400).ToList();
            if (errors.Count == 0)
                problems.Add($"{route}: documents no error");
            foreach (var (code, error) in errors)
                if ((string?)error?["content"]?["application/json"]?["schema"]?["$ref"] != $"#/components/schemas/{ErrorSchemaOf(route)}")
                    problems.Add($"{route}: its {code} is not the {ErrorSchemaOf(route)} body");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} problems in /openapi/v1.json:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public async Task A_restore_s_restore_time_is_documented_in_the_create_s_request_shape()
    {
        var document = await DocumentAsync();
        var restoreTime = Nodes(document).OfType<JsonObject>().Select(o => o["properties"]?["restore_time"]).OfType<JsonObject>().ToList();
        Assert.NotEmpty(restoreTime);
        Assert.All(restoreTime, property => Assert.Contains("ISO 8601", (string?)property["description"]));
    }

    private static IEnumerable<JsonNode> Nodes(JsonNode node) => node switch
    {
        JsonObject o => o.Where(p => p.Value is not null).SelectMany(p => Nodes(p.Value!)).Prepend(o),
        JsonArray a => a.OfType<JsonNode>().SelectMany(Nodes).Prepend(a),
        _ => [node],
    };

    [Fact]
    public async Task The_error_body_names_every_fault_of_the_API()
    {
        var document = await DocumentAsync();
        var schema = new SchemaCheck(document).Resolve(JsonNode.Parse("""{"$ref": "#/components/schemas/TroveErrorShape"}""")!);
        Assert.Equal(TroveError.Faults.Values.Append(TroveError.OtherFault).Order(), schema["properties"]!.AsObject().Select(p => p.Key).Order());
    }

    /// <summary>A schema of the API's own (a component), not "any object".</summary>
    private static bool IsShape(JsonNode schema) =>
        (string?)schema["$ref"] is { } reference && !reference.EndsWith("/JsonObject", StringComparison.Ordinal)
        || schema["type"]?.ToString() == "array" && schema["items"] is { } items && IsShape(items);

    /// <summary>The request record as the body's reader sees it (<see cref="RequestJson"/>): its JSON names are the API's.</summary>
    private static JsonTypeInfo RequestRecord(Type record) => RequestJson.Default.GetTypeInfo(record)!;

    /// <summary>Each object of the document's request schema names the fields its record reads, no more, no fewer.</summary>
    private static IEnumerable<string> NameProblems(JsonTypeInfo info, JsonNode schema, SchemaCheck check, string at)
    {
        schema = check.Resolve(schema);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                var documented = schema["properties"]?.AsObject() ?? [];
                var read = info.Properties.Where(p => !p.IsExtensionData && (p.Get ?? (object?)p.Set) is not null).ToList(); // [JsonIgnore] ones have neither
                foreach (var property in read.Where(p => !documented.ContainsKey(p.Name)))
                    yield return $"{at}: '{property.Name}' is read but not documented";
                foreach (var (name, _) in documented.Where(d => read.All(p => p.Name != d.Key)))
                    yield return $"{at}: '{name}' is documented but not read";
                foreach (var property in read.Where(p => documented.ContainsKey(p.Name)))
                    foreach (var problem in NameProblems(info.Options.GetTypeInfo(property.PropertyType), documented[property.Name]!, check, $"{at}.{property.Name}"))
                        yield return problem;
                break;
            case JsonTypeInfoKind.Enumerable when schema["items"] is { } items:
                foreach (var problem in NameProblems(info.Options.GetTypeInfo(info.ElementType!), items, check, $"{at}[]"))
                    yield return problem;
                break;
        }
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

    /// <summary>A route's path with each <c>{parameter}</c> given its value, escaped as a URL segment.</summary>
    public static string Fill(string template, Func<string, string> value) =>
        Parameter().Replace(template, m => Uri.EscapeDataString(value(m.Groups[1].Value)));

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Parameter();

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSource();
}
