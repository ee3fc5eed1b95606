using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Web.Validation;

namespace Trove.Web.Views;

/// <summary>Upstream's key-marker paging of lists: <c>limit</c>, <c>marker</c> (the last key seen), and a next link.</summary>
public static class Paging
{
    public const int DefaultLimit = 20;

    public sealed record PageOf<T>(IReadOnlyList<T> Items, int Limit, string? NextMarker);

    /// <summary>The page size a <c>limit</c> asks for: the default when absent, at most 1000, refused below 1.</summary>
    public static int Size(int? limit) =>
        limit is < 1 ? throw RequestError.Invalid("'limit' must be at least 1.") : Math.Min(limit ?? DefaultLimit, 1000);

    public static PageOf<T> Page<T>(IEnumerable<T> items, Func<T, string> key, int? limit, string? marker)
    {
        var size = Size(limit);
        var ordered = items.OrderBy(key, StringComparer.Ordinal).ToList();
        var after = marker is null ? ordered : ordered.Where(i => string.CompareOrdinal(key(i), marker) > 0).ToList();
        var page = after.Take(size).ToList();
        return new PageOf<T>(page, size, after.Count > size ? key(page[^1]) : null);
    }

    /// <summary>The answer of a list: the page of <paramref name="items"/> after <paramref name="marker"/> (in the order of
    /// <paramref name="key"/>), each as <paramref name="view"/> shows it, and the next page's link when there is one.</summary>
    public static Ok<JsonObject> Result<T, TView>(HttpRequest request, string collection, IEnumerable<T> items, Func<T, string> key,
        Func<T, TView> view, int? limit, string? marker)
    {
        var page = Page(items, key, limit, marker);
        return Render(request, collection, page.Items.Select(view), page);
    }

    /// <summary>The answer of a list the database already paged (<paramref name="page"/>: at most <paramref name="pageSize"/>
    /// items after the marker), each as <paramref name="view"/> shows it, and the next page's link when the page is full.</summary>
    public static Ok<JsonObject> Fetched<T>(HttpRequest request, string collection, IReadOnlyList<T> page, int pageSize, Func<T, string> key,
        Func<T, JsonNode> view)
    {
        var body = new JsonObject { [collection] = new JsonArray(page.Select(view).ToArray()) };
        if (Links.NextPage(request, page.Count, pageSize, page.Count > 0 ? key(page[^1]) : null) is { } next)
            body["links"] = JsonSerializer.SerializeToNode(next);
        return TypedResults.Ok(body);
    }

    private static Ok<JsonObject> Render<T, TView>(HttpRequest request, string collection, IEnumerable<TView> views, PageOf<T> page)
    {
        var body = new JsonObject { [collection] = JsonSerializer.SerializeToNode(views) };
        if (page.NextMarker is not null)
            body["links"] = JsonSerializer.SerializeToNode(Links.NextPage(request, page.Limit, page.Limit, page.NextMarker));
        return TypedResults.Ok(body);
    }
}
