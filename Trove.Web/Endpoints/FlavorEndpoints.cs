using Trove.Web.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Catalog;
using Trove.Web.Errors;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary><c>/flavors</c>: the sizes of server an instance can have.</summary>
public static class FlavorEndpoints
{
    public static RouteGroupBuilder MapFlavors(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/flavors", ListFlavors).Produces<FlavorListShape>();
        tenant.MapGet("/flavors/{id}", GetFlavor).Produces<FlavorDocumentShape>();
        return tenant;
    }

    public static async Task<Ok<object>> ListFlavors(string tenantId, HttpRequest request, CatalogRepository catalog) =>
        TypedResults.Ok<object>(new { flavors = (await catalog.LoadAsync()).Flavors.Select(f => View(f, tenantId, request)) });

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetFlavor(string tenantId, string id, HttpRequest request, CatalogRepository catalog) =>
        (await catalog.LoadAsync()).FindFlavor(id) is { } flavor
            ? TypedResults.Ok<object>(new { flavor = View(flavor, tenantId, request) })
            : TroveError.Result(404, $"Flavor '{id}' cannot be found.");

    private static object View(Flavor f, string tenantId, HttpRequest request) => new
    {
        id = f.Id,
        str_id = f.Id,
        name = f.Name,
        ram = f.Ram,
        vcpus = f.Vcpus,
        disk = f.Disk,
        ephemeral = 0,
        links = Links.For(request, tenantId, "flavors", f.Id),
    };
}
