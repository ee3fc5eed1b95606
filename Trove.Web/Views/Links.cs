using System.Text.Json.Nodes;

namespace Trove.Web.Views;

/// <summary>Upstream's self and bookmark links of a resource.</summary>
public static class Links
{
    /// <summary>Built as JSON nodes: the views that are nodes take them as they are, without a serializer pass per link.</summary>
    public static JsonArray For(HttpRequest request, string tenantId, string collection, string id)
    {
        var root = $"{request.Scheme}://{request.Host}";
        return
        [
            new JsonObject { ["href"] = $"{root}/v1.0/{tenantId}/{collection}/{id}", ["rel"] = "self" },
            new JsonObject { ["href"] = $"{root}/{collection}/{id}", ["rel"] = "bookmark" },
        ];
    }

    /// <summary>The next page's link of a paged list, present only when the page is full.</summary>
    public static object[]? NextPage(HttpRequest request, int count, int limit, string? lastId) =>
        count < limit || lastId is null
            ? null
            : [new { rel = "next", href = $"{request.Scheme}://{request.Host}{request.Path}?limit={limit}&marker={lastId}" }];
}
