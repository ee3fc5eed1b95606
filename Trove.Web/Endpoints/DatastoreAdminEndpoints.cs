using Trove.Web.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Catalog;
using Trove.Contracts.Datastores;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;

namespace Trove.Web.Endpoints;

/// <summary>Upstream's <c>/mgmt/datastore-versions</c>: admins add datastore versions and (de)activate them.</summary>
public static class DatastoreAdminEndpoints
{
    public static RouteGroupBuilder MapDatastoreAdmin(this RouteGroupBuilder tenant)
    {
        var versions = tenant.MapGroup("/mgmt/datastore-versions").RequireAuthorization(TrovePolicies.Admin);
        versions.MapGet("", ListVersions).Produces<MgmtDatastoreVersionListShape>();
        versions.MapGet("/{id}", GetVersion).Produces<MgmtDatastoreVersionDocumentShape>();
        versions.MapPost("", AddVersion).ProducesTroveErrors(409);
        versions.MapPatch("/{id}", ChangeVersion);
        return tenant;
    }

    public static async Task<Ok<object>> ListVersions(CatalogRepository repository) =>
        TypedResults.Ok<object>(new { versions = (await repository.LoadAsync()).Datastores.SelectMany(d => d.Versions.Select(v => View(d, v))) });

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetVersion(string id, CatalogRepository repository) =>
        (await repository.LoadAsync()).Datastores.SelectMany(d => d.Versions.Where(v => v.Id == id).Select(v => View(d, v))).FirstOrDefault() is { } view
            ? TypedResults.Ok<object>(new { version = view })
            : TroveError.Result(404, $"Datastore version '{id}' cannot be found.");

    public static async Task<Results<Accepted, TroveErrorResult>> AddVersion(Body<NewDatastoreVersionBody> body, CatalogRepository repository)
    {
        var version = body.Value.Version!;
        var manager = version.DatastoreManager!;
        var datastore = version.DatastoreName ?? manager;
        if (DatastoreProfiles.Find(manager) is null)
            return TroveError.Result(400, $"Datastore manager '{manager}' is not one of {string.Join(", ", DatastoreProfiles.All.Select(p => p.Name))}.");
        if (datastore != manager)
            return TroveError.Result(400, "Here a datastore is named after its manager: 'datastore_name' must equal 'datastore_manager'.");
        try
        {
            await repository.AddVersionAsync(datastore, version.Name!, version.Active ?? true, version.Default ?? false);
        }
        catch (InvalidOperationException e)
        {
            return TroveError.Result(409, e.Message);
        }
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<Accepted, TroveErrorResult>> ChangeVersion(string id, Body<DatastoreVersionChangeBody> body, CatalogRepository repository) =>
        await repository.SetVersionActiveAsync(id, body.Value.Active!.Value)
            ? TypedResults.Accepted((string?)null)
            : TroveError.Result(404, $"Datastore version '{id}' cannot be found.");

    private static object View(Datastore d, DatastoreVersion v) => new
    {
        id = v.Id, name = v.Name, version = v.Name, datastore_id = d.Id, datastore_name = d.Type, datastore_manager = d.Type,
        active = v.Active, @default = d.DefaultVersion == v.Name, image = "", packages = "",
    };
}
