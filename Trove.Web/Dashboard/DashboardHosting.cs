using Trove.Web.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;
using Trove.Web.Auth;

namespace Trove.Web.Dashboard;

/// <summary>
/// The web dashboard at <c>/dashboard/</c>: plain HTML/CSS/JS embedded in this assembly (a node runs from wherever its
/// dll is), served to anonymous callers; the page itself logs in and calls the API with the token like any client.
/// </summary>
public static class DashboardHosting
{
    public const string Path = "/dashboard";

    /// <summary>Before authentication: the page and its config are public; everything it calls is not.</summary>
    public static WebApplication UseTroveDashboard(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(DashboardHosting).Assembly, "Trove.Web.Dashboard.www");
        app.UseFileServer(new FileServerOptions
        {
            RequestPath = Path,
            FileProvider = files,
            StaticFileOptions = { OnPrepareResponse = context => Harden(context.Context.Response) },
        });
        app.MapGet($"{Path}/config.json", Config).AllowAnonymous().Produces<DashboardConfigShape>().ProducesTroveErrors(500); // documented too: a client may log in as the page does
        return app;
    }

    /// <summary>Where the page logs in: this node's built-in identity, or the Keystone the node trusts.</summary>
    public static Ok<object> Config(HttpRequest request, AuthSettings settings) => TypedResults.Ok<object>(new
    {
        identity = settings.IsKeystone ? settings.KeystoneUrl!.TrimEnd('/') : $"{request.Scheme}://{request.Host}/v3",
        mode = settings.IsKeystone ? "keystone" : "builtin",
    });

    /// <summary>Nothing but this origin's scripts and styles; the identity may be another origin (Keystone).</summary>
    private static void Harden(HttpResponse response)
    {
        var settings = response.HttpContext.RequestServices.GetRequiredService<AuthSettings>();
        var identity = settings.IsKeystone && Uri.TryCreate(settings.KeystoneUrl, UriKind.Absolute, out var keystone)
            ? " " + keystone.GetLeftPart(UriPartial.Authority) : "";
        response.Headers.ContentSecurityPolicy = $"default-src 'self'; connect-src 'self'{identity}; frame-ancestors 'none'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = "no-cache";
    }
}
