using Trove.Web.OpenApi;
using System.Text.Json.Nodes;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;
using Trove.Web.Views;
using static Trove.Web.Endpoints.InstanceAsk;

namespace Trove.Web.Endpoints;

/// <summary><c>/instances/{id}/databases</c>: upstream's database extension, carried out by the guest.</summary>
public static class DatabaseEndpoints
{
    public static RouteGroupBuilder MapDatabases(this RouteGroupBuilder tenant)
    {
        var databases = tenant.MapGroup("/instances/{id}/databases").ProducesTroveErrors(ErrorDocumentation.EntityAsk);
        databases.MapPost("", CreateDatabases);
        databases.MapGet("", ListDatabases).Produces<DatabaseListShape>();
        databases.MapGet("/{name}", GetDatabase).ProducesTroveErrors(501);
        databases.MapDelete("/{name}", DeleteDatabase);
        return tenant;
    }

    /// <summary>The entity checks the names against its datastore's profile: parse, one ask.</summary>
    public static Task<Results<Accepted, TroveErrorResult>> CreateDatabases(string tenantId, string id, Body<DatabasesBody> body,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        instances.AcceptedAsync(new InstanceCommands.CreateDatabases(id, tenantId, DatabaseBody.Specs(body.Value.Databases)), settings);

    public static async Task<Results<Ok<JsonObject>, TroveErrorResult>> ListDatabases(string tenantId, string id, HttpRequest request,
        int? limit, string? marker, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.ListDatabases(id, tenantId), settings) switch
        {
            InstanceReplies.DatabasesListed listed => Paging.Result(request, "databases", listed.Databases, d => d.Name, d => new { name = d.Name }, limit, marker),
            var reply => ErrorOf(reply),
        };

    public static async Task<TroveErrorResult> GetDatabase(string tenantId, string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        await instances.StateAsync(tenantId, id, settings);
        return TroveError.Result(501, "Showing one database is not implemented, as upstream.");
    }

    public static Task<Results<Accepted, TroveErrorResult>> DeleteDatabase(string tenantId, string id, string name,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        instances.AcceptedAsync(new InstanceCommands.DeleteDatabase(id, tenantId, name), settings);
}
