using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Trove.Web.Views;

/// <summary>
/// A view as bytes, rendered once per source object: a list's page (the read model hands out the same page object for
/// as long as it is current, <see cref="Trove.Actors.ReadModel.ReadModelDb.ListAsync{TState}"/>, and a new one once the
/// tenant's rows change) or an entity's state (an entity answers with the same state object until an event changes
/// it). Bytes kept with that object are never older than the view the request would render.
/// </summary>
public static class RenderedViews
{
    // Per source: one rendering per base address and path (the links name them) and variant; a few, unless a client
    // varies its Host or the variant changes while the source does not.
    private const int MaxPerSource = 8;
    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<ViewKey, byte[]>> Rendered = new();

    /// <summary>What a rendering's links depend on, from the request's own strings: a key made of them is no new string
    /// per request (their concatenation was about 3 % of what a show allocated).</summary>
    private readonly record struct ViewKey(string Scheme, string? Host, string? Path, string Variant);

    /// <summary><paramref name="render"/> of <paramref name="source"/> as this request's links would show it, rendered
    /// only if this source object has not been for the same address and <paramref name="variant"/> (what the view shows
    /// beside the source, e.g. an entity's figures kept outside its state) before.</summary>
    public static RenderedJson Of(HttpRequest request, object source, Func<JsonObject> render, string variant = "")
    {
        var bySource = Rendered.GetOrCreateValue(source);
        var key = new ViewKey(request.Scheme, request.Host.Value, request.Path.Value, variant);
        if (!bySource.TryGetValue(key, out var bytes))
        {
            var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            bytes = JsonSerializer.SerializeToUtf8Bytes(render(), options);
            if (bySource.Count < MaxPerSource)
                bySource.TryAdd(key, bytes);
        }
        return new RenderedJson(bytes);
    }
}
