using Trove.Web.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Web.Auth;
using Trove.Web.Errors;

namespace Trove.Web.Endpoints;

/// <summary>Upstream's <c>/extensions</c>: the API extensions served, by alias (here admins only, as the rest of the operator's API).</summary>
public static class ExtensionEndpoints
{
    public sealed record Extension(string name, string alias, string description, string @namespace, string updated, object[] links);

    public static readonly IReadOnlyList<Extension> Served =
    [
        new("Mgmt", "Mgmt", "MGMT services such as details diagnostics", "http://TBD", "2011-01-22T13:25:27-06:00", []),
        new("Mysql", "MYSQL", "Non essential MySQL services such as users and schemas", "http://TBD", "2011-01-22T13:25:27-06:00", []),
    ];

    public static RouteGroupBuilder MapExtensions(this RouteGroupBuilder tenant)
    {
        var extensions = tenant.MapGroup("/extensions").RequireAuthorization(TrovePolicies.Admin);
        extensions.MapGet("", List).Produces<ExtensionListShape>();
        extensions.MapGet("/{alias}", Show).Produces<ExtensionDocumentShape>();
        return tenant;
    }

    public static Ok<object> List() => TypedResults.Ok<object>(new { extensions = Served });

    public static Results<Ok<object>, TroveErrorResult> Show(string alias) =>
        Served.FirstOrDefault(e => e.alias == alias) is { } extension
            ? TypedResults.Ok<object>(new { extension })
            : TroveError.Result(404, $"Extension '{alias}' cannot be found.");
}
