using Trove.Actors.Catalog;
using Trove.Web.Errors;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

public static class FlavorEndpoints
{
    public static RouteGroupBuilder MapFlavors(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/flavors", async (string tenantId, HttpRequest request, CatalogRepository catalog) =>
            Results.Json(new { flavors = (await catalog.LoadAsync()).Flavors.Select(f => View(f, tenantId, request)) }));
        tenant.MapGet("/flavors/{id}", async (string tenantId, string id, HttpRequest request, CatalogRepository catalog) =>
            (await catalog.LoadAsync()).FindFlavor(id) is { } flavor
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
