using Trove.Actors.Catalog;
using Trove.Web.Errors;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

public static class DatastoreEndpoints
{
    public static RouteGroupBuilder MapDatastores(this RouteGroupBuilder tenant)
    {
        var datastores = tenant.MapGroup("/datastores");
        datastores.MapGet("", async (string tenantId, HttpRequest request, CatalogRepository repository) =>
            Results.Json(new { datastores = (await repository.LoadAsync()).Datastores.Select(d => View(d, tenantId, request)) }));
        datastores.MapGet("/versions/{versionId}", async (string tenantId, string versionId, HttpRequest request, CatalogRepository repository) =>
            (await repository.LoadAsync()).Datastores.SelectMany(d => d.Versions.Where(v => v.Id == versionId).Select(v => (d, v))).FirstOrDefault() is ({ } ds, { } version)
                ? Results.Json(new { version = VersionView(ds, version, tenantId, request) })
                : TroveError.NotFound($"Datastore version '{versionId}' cannot be found."));
        datastores.MapGet("/{ds}", async (string tenantId, string ds, HttpRequest request, CatalogRepository repository) =>
            (await repository.LoadAsync()).FindDatastore(ds) is { } datastore
                ? Results.Json(new { datastore = View(datastore, tenantId, request) })
                : TroveError.NotFound($"Datastore '{ds}' cannot be found."));
        datastores.MapGet("/{ds}/versions", async (string tenantId, string ds, HttpRequest request, CatalogRepository repository) =>
            (await repository.LoadAsync()).FindDatastore(ds) is { } datastore
                ? Results.Json(new { versions = datastore.Versions.Select(v => VersionView(datastore, v, tenantId, request)) })
                : TroveError.NotFound($"Datastore '{ds}' cannot be found."));
        datastores.MapGet("/{ds}/versions/{v}", async (string tenantId, string ds, string v, HttpRequest request, CatalogRepository repository) =>
            (await repository.LoadAsync()).FindDatastore(ds) is not { } datastore
                ? TroveError.NotFound($"Datastore '{ds}' cannot be found.")
                : CatalogService.FindVersion(datastore, v) is { } version
                    ? Results.Json(new { version = VersionView(datastore, version, tenantId, request) })
                    : TroveError.NotFound($"Datastore version '{v}' cannot be found."));
        return tenant;
    }

    private static object View(Datastore d, string tenantId, HttpRequest request) => new
    {
        id = d.Id,
        name = d.Type,
        links = Links.For(request, tenantId, "datastores", d.Id),
        default_version = d.Versions.FirstOrDefault(v => v.Name == d.DefaultVersion)?.Id,
        versions = d.Versions.Where(v => v.Active).Select(v => new
        {
            id = v.Id, name = v.Name, active = v.Active ? 1 : 0,
            links = Links.For(request, tenantId, "datastores/versions", v.Id),
        }),
    };

    private static object VersionView(Datastore d, DatastoreVersion v, string tenantId, HttpRequest request) => new
    {
        id = v.Id,
        name = v.Name,
        version = v.Name,
        datastore = d.Id,
        active = v.Active ? 1 : 0,
        links = Links.For(request, tenantId, "datastores/versions", v.Id),
    };
}
