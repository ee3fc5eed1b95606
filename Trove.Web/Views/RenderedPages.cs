using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Trove.Web.Views;

/// <summary>A list's page as bytes, rendered once per page object: the read model hands out the same page object for as
/// long as it is current (<see cref="Trove.Actors.ReadModel.ReadModelDb.ListAsync{TState}"/>) and a new one once the
/// tenant's rows change, so bytes kept with that object are never older than the page the request would read.</summary>
public static class RenderedPages
{
    // Per page: one rendering per base address and path (the links name them); a few, unless a client varies its Host.
    private const int MaxPerPage = 8;
    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<string, byte[]>> Rendered = new();

    /// <summary><paramref name="render"/> of <paramref name="page"/> as this request's links would show it, rendered
    /// only if this page object has not been for the same address before.</summary>
    public static RenderedJson Of(HttpRequest request, object page, Func<JsonObject> render)
    {
        var byAddress = Rendered.GetOrCreateValue(page);
        var address = string.Concat(request.Scheme, "://", request.Host.Value, request.Path.Value);
        if (!byAddress.TryGetValue(address, out var bytes))
        {
            var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            bytes = JsonSerializer.SerializeToUtf8Bytes(render(), options);
            if (byAddress.Count < MaxPerPage)
                byAddress.TryAdd(address, bytes);
        }
        return new RenderedJson(bytes);
    }
}
