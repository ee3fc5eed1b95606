using Trove.Web.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Backups;
using Trove.Actors.Catalog;
using Trove.Actors.Configurations;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;

namespace Trove.Web.Endpoints;

/// <summary>Upstream's mgmt datastore version delete and its configuration parameters of one version
/// (<c>/mgmt/datastores/versions/{versionId}/parameters</c>): an admin's rule replaces the datastore's rule of that name
/// for that version, adds one, or takes one away; the tenant's <c>/datastores/versions/{id}/parameters</c> and the
/// validation of the version's configuration groups follow them.</summary>
public static class MgmtDatastoreVersionEndpoints
{
    public static RouteGroupBuilder MapMgmtDatastoreVersions(this RouteGroupBuilder tenant)
    {
        tenant.MapDelete("/mgmt/datastore-versions/{id}", DeleteVersion).RequireAuthorization(TrovePolicies.Admin);
        var parameters = tenant.MapGroup("/mgmt/datastores/versions/{versionId}/parameters").RequireAuthorization(TrovePolicies.Admin);
        parameters.MapGet("", ListParameters).Produces<MgmtParameterListShape>();
        parameters.MapGet("/{name}", GetParameter).Produces<MgmtParameterShape>();
        parameters.MapPost("", AddParameter).Produces<MgmtParameterShape>().ProducesTroveErrors(409);
        parameters.MapPut("/{name}", ChangeParameter).Produces<MgmtParameterShape>();
        parameters.MapDelete("/{name}", DeleteParameter);
        return tenant;
    }

    /// <summary>Refused (400, as upstream's DatastoreVersionsInUse) while a live instance, backup or configuration group uses it.</summary>
    public static async Task<Results<Accepted, TroveErrorResult>> DeleteVersion(string id, CatalogRepository catalog, ReadModelDb readModel,
        ConfigurationRepository configurations, HttpContext context)
    {
        var ct = context.RequestAborted;
        if (await FindAsync(catalog, id) is not var (datastore, version))
            return TroveError.Result(404, $"Datastore version '{id}' cannot be found.");
        bool Uses(string ds, string v) => ds == datastore.Type && v == version.Name;
        var user =
            (await readModel.AllTenantsAsync<InstanceState>(InstanceRegistration.TypeName, ct)).Any(i => Uses(i.Datastore, i.DatastoreVersion)) ? "instance"
            : (await readModel.AllTenantsAsync<BackupState>(BackupRegistration.TypeName, ct)).Any(b => Uses(b.Datastore, b.DatastoreVersion)) ? "backup"
            : (await configurations.AllAsync(ct)).Any(g => Uses(g.Datastore, g.DatastoreVersion)) ? "configuration"
            : null;
        if (user is not null)
            return TroveError.Result(400, $"Datastore version is in use by {user}.");
        if (!await catalog.DeleteVersionAsync(id, ct))
            return TroveError.Result(404, $"Datastore version '{id}' cannot be found.");
        await configurations.ForgetVersionRulesAsync(datastore.Type, version.Name, ct);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<Ok<Dictionary<string, object>>, TroveErrorResult>> ListParameters(string versionId, CatalogRepository catalog,
        ConfigurationRepository configurations) =>
        await FindAsync(catalog, versionId) is var (datastore, version)
            ? TypedResults.Ok(new Dictionary<string, object>
            {
                ["configuration-parameters"] = (await configurations.RulesAsync(datastore.Type, version.Name)).Select(r => View(r, version)).ToList(),
            })
            : VersionNotFound(versionId);

    public static async Task<Results<Ok<Dictionary<string, object?>>, TroveErrorResult>> GetParameter(string versionId, string name,
        CatalogRepository catalog, ConfigurationRepository configurations)
    {
        if (await FindAsync(catalog, versionId) is not var (datastore, version))
            return VersionNotFound(versionId);
        return (await configurations.RulesAsync(datastore.Type, version.Name)).FirstOrDefault(r => r.Name == name) is { } rule
            ? TypedResults.Ok(View(rule, version))
            : ParameterNotFound(name, 404);
    }

    /// <summary>Upstream answers the new rule; one the version has already is a conflict (its PUT changes it).</summary>
    public static async Task<Results<Ok<Dictionary<string, object?>>, TroveErrorResult>> AddParameter(string versionId,
        Body<ConfigurationParameterBody> body, CatalogRepository catalog, ConfigurationRepository configurations)
    {
        var fields = body.Value.Parameter!;
        if (string.IsNullOrWhiteSpace(fields.Name))
            return TroveError.Result(400, "Validation error: 'name' is required.");
        if (await FindAsync(catalog, versionId) is not var (datastore, version))
            return VersionNotFound(versionId);
        if ((await configurations.RulesAsync(datastore.Type, version.Name)).Any(r => r.Name == fields.Name))
            return TroveError.Result(409, $"Configuration parameter {fields.Name} already exists for this datastore version.");
        var rule = RuleOf(fields.Name, fields);
        await configurations.SetVersionRuleAsync(datastore.Type, version.Name, rule);
        return TypedResults.Ok(View(rule, version));
    }

    public static async Task<Results<Ok<Dictionary<string, object?>>, TroveErrorResult>> ChangeParameter(string versionId, string name,
        Body<ConfigurationParameterBody> body, CatalogRepository catalog, ConfigurationRepository configurations)
    {
        if (await FindAsync(catalog, versionId) is not var (datastore, version))
            return VersionNotFound(versionId);
        if (!(await configurations.RulesAsync(datastore.Type, version.Name)).Any(r => r.Name == name))
            return ParameterNotFound(name, 404);
        var rule = RuleOf(name, body.Value.Parameter!);
        await configurations.SetVersionRuleAsync(datastore.Type, version.Name, rule);
        return TypedResults.Ok(View(rule, version));
    }

    /// <summary>Upstream answers an unknown parameter's delete with a 400.</summary>
    public static async Task<Results<NoContent, TroveErrorResult>> DeleteParameter(string versionId, string name, CatalogRepository catalog,
        ConfigurationRepository configurations)
    {
        if (await FindAsync(catalog, versionId) is not var (datastore, version))
            return VersionNotFound(versionId);
        if (!(await configurations.RulesAsync(datastore.Type, version.Name)).Any(r => r.Name == name))
            return ParameterNotFound(name, 400);
        await configurations.RemoveVersionRuleAsync(datastore.Type, version.Name, name);
        return TypedResults.NoContent();
    }

    private static async Task<(Datastore, DatastoreVersion)?> FindAsync(CatalogRepository catalog, string versionId) =>
        (await catalog.LoadAsync()).FindVersionById(versionId);

    private static ParameterRule RuleOf(string name, ConfigurationParameterBody.Fields fields) =>
        new(name, fields.DataType!, fields.Min, fields.Max, fields.IsRestartRequired);

    /// <summary>Upstream's MgmtConfigurationParameterView.</summary>
    private static Dictionary<string, object?> View(ParameterRule rule, DatastoreVersion version)
    {
        var view = new Dictionary<string, object?>
        {
            ["name"] = rule.Name, ["datastore_version_id"] = version.Id, ["restart_required"] = rule.RestartRequired, ["type"] = rule.Type,
        };
        if (rule.Max is { } max)
            view["max_size"] = max;
        if (rule.Min is { } min)
            view["min_size"] = min;
        return view;
    }

    private static TroveErrorResult VersionNotFound(string id) => TroveError.Result(404, $"Datastore version '{id}' cannot be found.");

    private static TroveErrorResult ParameterNotFound(string name, int code) =>
        TroveError.Result(code, $"Parameter {name} does not exist in the database.");
}
