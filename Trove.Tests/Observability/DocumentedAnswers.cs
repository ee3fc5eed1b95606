using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Trove.Tests.Observability;

/// <summary>Real answers of a node, each checked against what the OpenAPI document says of its route, method and
/// status (<see cref="SchemaCheck"/>, both ways); the routes that answered a success are remembered.</summary>
public sealed class DocumentedAnswers(JsonObject document)
{
    private readonly SchemaCheck _check = new(document);

    public List<string> Problems { get; } = [];

    /// <summary>"METHOD /template" of every route that answered a success.</summary>
    public HashSet<string> Succeeded { get; } = [];

    public async Task<JsonNode?> CheckAsync(string method, string template, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var route = $"{method} {template}";
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var text = await response.Content.ReadAsStringAsync();
        var body = mediaType == "application/json" && text.Length > 0 ? JsonNode.Parse(text) : null;
        if (status < 300)
            Succeeded.Add(route);
        var documented = document["paths"]?[template]?[method.ToLowerInvariant()]?["responses"]?[status.ToString()];
        if (documented is null)
            Problems.Add($"{route} answered {status}, which its operation does not document: {text}");
        else if (mediaType is not null && text.Length > 0 && documented["content"]?[mediaType]?["schema"] is not { } schema)
            Problems.Add($"{route} answered {status} with {mediaType}, which its operation does not document");
        else if (body is not null)
            Problems.AddRange(_check.Problems(body, documented["content"]!["application/json"]!["schema"]!).Select(p => $"{route} {status}: {p}"));
        return body;
    }

    public async Task<JsonNode?> SendAsync(HttpClient client, HttpMethod method, string template, Func<string, string> value,
        object? body = null, string? query = null, (string Name, string Value)? header = null)
    {
        var path = OpenApiTests.Fill(template, value).TrimStart('/') + (query is null ? "" : $"?{query}");
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = System.Net.Http.Json.JsonContent.Create(body, mediaType: new MediaTypeHeaderValue("application/json"));
        if (header is var (name, text))
            request.Headers.Add(name, text);
        using var response = await client.SendAsync(request);
        return await CheckAsync(method.Method, template, response);
    }
}
