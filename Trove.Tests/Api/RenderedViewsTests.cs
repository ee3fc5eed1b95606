using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Trove.Web.Views;

namespace Trove.Tests.Api;

/// <summary>A view's bytes are kept with the object they render (a list's page, an entity's state): rendered once for
/// it, and again for another object, another address, or another variant, never served from another's.</summary>
public sealed class RenderedViewsTests
{
    private readonly IServiceProvider _services = new ServiceCollection().AddOptions().Configure<JsonOptions>(_ => { }).BuildServiceProvider();
    private int _renders;

    [Fact]
    public async Task The_same_source_at_the_same_address_is_rendered_once()
    {
        var state = new Source("a");
        Assert.Equal("""{"name":"a","href":"http://one/v1.0/t/instances/1"}""", await BodyOf(Show(state, "one")));
        Assert.Equal("""{"name":"a","href":"http://one/v1.0/t/instances/1"}""", await BodyOf(Show(state, "one")));
        Assert.Equal(1, _renders);
    }

    [Fact]
    public async Task A_new_source_another_address_or_another_variant_is_rendered_anew()
    {
        var state = new Source("a");
        await BodyOf(Show(state, "one"));
        Assert.Equal("""{"name":"b","href":"http://one/v1.0/t/instances/1"}""", await BodyOf(Show(state with { Name = "b" }, "one")));
        Assert.Equal("""{"name":"a","href":"http://two/v1.0/t/instances/1"}""", await BodyOf(Show(state, "two")));
        Assert.Equal("""{"name":"a","href":"http://one/v1.0/t/instances/1","used":"2"}""", await BodyOf(Show(state, "one", "2")));
        Assert.Equal(4, _renders);
    }

    /// <summary>A show at 100,000 instances is bound by the garbage each request makes (bench/results.md, 2026-12-08):
    /// a view served again looks its bytes up by the request's own strings, and makes nothing but its result (24 bytes).</summary>
    [Fact]
    public void A_view_served_again_makes_nothing_but_its_result()
    {
        var state = new Source("a");
        var (context, _) = Show(state, "one");
        Func<JsonObject> render = () => throw new InvalidOperationException("rendered again");
        for (var i = 0; i < 3; i++)
            RenderedViews.Of(context.Request, state, render);

        var before = GC.GetAllocatedBytesForCurrentThread();
        RenderedViews.Of(context.Request, state, render);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 24, $"{allocated} bytes allocated");
    }

    private sealed record Source(string Name);

    private (HttpContext Context, RenderedJson Result) Show(Source source, string host, string variant = "")
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        context.Request.Path = "/v1.0/t/instances/1";
        context.Response.Body = new MemoryStream();
        var request = context.Request;
        return (context, RenderedViews.Of(request, source, () =>
        {
            _renders++;
            var view = new JsonObject { ["name"] = source.Name, ["href"] = $"{request.Scheme}://{request.Host}{request.Path}" };
            if (variant.Length > 0)
                view["used"] = variant;
            return view;
        }, variant));
    }

    private static async Task<string> BodyOf((HttpContext Context, RenderedJson Result) shown)
    {
        await shown.Result.ExecuteAsync(shown.Context);
        return Encoding.UTF8.GetString(((MemoryStream)shown.Context.Response.Body).ToArray());
    }
}
