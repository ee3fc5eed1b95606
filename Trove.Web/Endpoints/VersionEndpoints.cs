using Trove.Web.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Trove.Web.Endpoints;

/// <summary>The version documents: the only routes that need no tenant.</summary>
public static class VersionEndpoints
{
    public static WebApplication MapVersions(this WebApplication app)
    {
        app.MapGet("/", ListVersions).AllowAnonymous().Produces<VersionListShape>().ProducesTroveErrors(500);
        app.MapGet("/v1.0", GetVersion).AllowAnonymous().Produces<VersionDocumentShape>().ProducesTroveErrors(500);
        return app;
    }

    public static Ok<object> ListVersions(HttpRequest request) => TypedResults.Ok<object>(new { versions = new[] { Version(request) } });

    public static Ok<object> GetVersion(HttpRequest request) => TypedResults.Ok<object>(new { version = Version(request) });

    private static object Version(HttpRequest request) => new
    {
        id = "v1.0",
        status = "CURRENT",
        updated = "2012-08-01T00:00:00Z",
        links = new[] { new { rel = "self", href = $"{request.Scheme}://{request.Host}/v1.0/" } },
    };
}
