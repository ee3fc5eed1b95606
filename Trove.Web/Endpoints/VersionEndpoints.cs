namespace Trove.Web.Endpoints;

/// <summary>The version documents: the only routes that need no tenant.</summary>
public static class VersionEndpoints
{
    public static WebApplication MapVersions(this WebApplication app)
    {
        app.MapGet("/", (HttpRequest request) => Results.Json(new { versions = new[] { Version(request) } })).AllowAnonymous();
        app.MapGet("/v1.0", (HttpRequest request) => Results.Json(new { version = Version(request) })).AllowAnonymous();
        return app;
    }

    private static object Version(HttpRequest request) => new
    {
        id = "v1.0",
        status = "CURRENT",
        updated = "2012-08-01T00:00:00Z",
        links = new[] { new { rel = "self", href = $"{request.Scheme}://{request.Host}/v1.0/" } },
    };
}
