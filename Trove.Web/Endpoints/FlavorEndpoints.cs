using Trove.Actors.Catalog;
using Trove.Web.Errors;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

public static class FlavorEndpoints
{
    public static RouteGroupBuilder MapFlavors(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/flavors", (string tenantId, HttpRequest request, CatalogService catalog) =>
            Results.Json(new { flavors = catalog.Flavors.Select(f => View(f, tenantId, request)) }));
        tenant.MapGet("/flavors/{id}", (string tenantId, string id, HttpRequest request, CatalogService catalog) =>
            catalog.FindFlavor(id) is { } flavor
                ? Results.Json(new { flavor = View(flavor, tenantId, request) })
                : TroveError.NotFound($"Flavor '{id}' cannot be found."));
        return tenant;
    }

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
