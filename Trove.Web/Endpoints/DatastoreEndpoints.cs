using Trove.Web.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Catalog;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary><c>/datastores</c>: the datastores and their versions a tenant can create instances of.</summary>
public static class DatastoreEndpoints
{
    public static RouteGroupBuilder MapDatastores(this RouteGroupBuilder tenant)
    {
        var datastores = tenant.MapGroup("/datastores");
        datastores.MapGet("", ListDatastores).Produces<DatastoreListShape>();
        datastores.MapGet("/versions/{versionId}", GetVersionById).Produces<DatastoreVersionDocumentShape>();
        datastores.MapGet("/{ds}", GetDatastore).Produces<DatastoreDocumentShape>();
        datastores.MapGet("/{ds}/versions", ListVersions).Produces<DatastoreVersionListShape>();
        datastores.MapGet("/{ds}/versions/{v}", GetVersion).Produces<DatastoreVersionDocumentShape>();
        return tenant;
    }

    public static async Task<Ok<object>> ListDatastores(string tenantId, HttpRequest request, CatalogRepository repository) =>
        TypedResults.Ok<object>(new { datastores = (await repository.LoadAsync()).Datastores.Select(d => View(d, tenantId, request)) });

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetVersionById(string tenantId, string versionId, HttpRequest request, CatalogRepository repository) =>
        (await repository.LoadAsync()).FindVersionById(versionId) is var (ds, version)
            ? TypedResults.Ok<object>(new { version = VersionView(ds, version, tenantId, request) })
            : TroveError.Result(404, $"Datastore version '{versionId}' cannot be found.");

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetDatastore(string tenantId, string ds, HttpRequest request, CatalogRepository repository) =>
        (await repository.LoadAsync()).FindDatastore(ds) is { } datastore
            ? TypedResults.Ok<object>(new { datastore = View(datastore, tenantId, request) })
            : TroveError.Result(404, $"Datastore '{ds}' cannot be found.");

    /// <summary>A tenant sees the active versions, an admin all of them, as upstream.</summary>
    public static async Task<Results<Ok<object>, TroveErrorResult>> ListVersions(string tenantId, string ds, HttpRequest request, CatalogRepository repository) =>
        (await repository.LoadAsync()).FindDatastore(ds) is { } datastore
            ? TypedResults.Ok<object>(new { versions = datastore.Versions.Where(v => v.Active || request.HttpContext.IsAdmin())
                .Select(v => VersionView(datastore, v, tenantId, request)) })
            : TroveError.Result(404, $"Datastore '{ds}' cannot be found.");

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetVersion(string tenantId, string ds, string v, HttpRequest request, CatalogRepository repository) =>
        (await repository.LoadAsync()).FindDatastore(ds) is not { } datastore
            ? TroveError.Result(404, $"Datastore '{ds}' cannot be found.")
            : CatalogService.FindVersion(datastore, v) is { } version
                ? TypedResults.Ok<object>(new { version = VersionView(datastore, version, tenantId, request) })
                : TroveError.Result(404, $"Datastore version '{v}' cannot be found.");

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
