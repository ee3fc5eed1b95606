using Trove.Web.OpenApi;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Tenants;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary>Upstream's <c>/mgmt/instances</c> (admins only): every tenant's instances from the read model, one instance's
/// server, volume, guest and task from its entity, the operator's actions and the guest's <c>rpc_ping</c>. Every ask names
/// <see cref="AnyTenant"/>: the admin acts on the instance whoever owns it.</summary>
public static class MgmtInstanceEndpoints
{
    public static RouteGroupBuilder MapMgmtInstances(this RouteGroupBuilder tenant)
    {
        var instances = tenant.MapGroup("/mgmt/instances").RequireAuthorization(TrovePolicies.Admin).ProducesTroveErrors(ErrorDocumentation.EntityAsk);
        instances.MapGet("", List).Produces<MgmtInstanceListShape>();
        instances.MapGet("/{id}", Show).Produces<MgmtInstanceDocumentShape>();
        instances.MapPost("/{id}/action", Action);
        instances.MapGet("/{id}/rpc_ping", Ping);
        return tenant;
    }

    /// <summary>Upstream's <c>deleted</c>: "true" only the deleted, "false" only the live, absent (or anything else) both;
    /// <c>project_id</c> one project's.</summary>
    public static async Task<Ok<JsonObject>> List(HttpRequest request, ReadModelDb readModel, string? deleted, string? project_id, int? limit, string? marker)
    {
        bool? wanted = deleted?.ToLowerInvariant() switch { "true" => true, "false" => false, _ => null };
        var size = Paging.Size(limit);
        var page = await readModel.AdminPageAsync<InstanceState>(InstanceRegistration.TypeName, project_id, wanted, size, marker, request.HttpContext.RequestAborted);
        return Paging.Fetched(request, "instances", page, size, s => s.Id, s => MgmtInstanceView.Summary(s, request));
    }

    /// <summary>A deleted instance is shown only with <c>deleted=true</c>, as upstream.</summary>
    public static async Task<Results<Ok<JsonObject>, TroveErrorResult>> Show(string id, string? deleted, HttpRequest request,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.Inspect(id), settings) is InstanceReplies.Inspected { State: { } state } inspected
        && (!state.IsDeleted || Flag.IsTrue(deleted))
            ? TypedResults.Ok(new JsonObject { ["instance"] = MgmtInstanceView.Detail(state, request, inspected.Node, inspected.VolumeUsed) })
            : TroveError.Result(404, $"Instance {id} cannot be found.");

    /// <summary><c>stop</c> stops the engine, <c>reboot</c> restarts it (REBOOT while it runs), <c>reset-task-status</c> clears
    /// a stuck task; <c>migrate</c> is refused once the instance is known: no compute driver here moves a server.</summary>
    public static async Task<Results<Accepted, TroveErrorResult>> Action(string id, Body<MgmtInstanceActionBody> body,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var action = body.Value;
        IWithInstanceId command = action switch
        {
            { Stop.ValueKind: not JsonValueKind.Undefined } => new InstanceCommands.StopDatabase(id, AnyTenant.Id),
            { Reboot.ValueKind: not JsonValueKind.Undefined } => new InstanceCommands.Restart(id, AnyTenant.Id, RebootServer: true),
            { ResetTaskStatus.ValueKind: not JsonValueKind.Undefined } => new InstanceCommands.ResetStatus(id, AnyTenant.Id),
            _ => new InstanceCommands.Get(id, AnyTenant.Id),
        };
        return await instances.AskAsync(command, settings) switch
        {
            InstanceReplies.Found => TroveError.Result(400, "Migrating an instance is not supported: the compute driver cannot move a server to another host."),
            InstanceReplies.Accepted or InstanceReplies.GuestDone => TypedResults.Accepted((string?)null),
            var reply => InstanceAsk.ErrorOf(reply),
        };
    }

    /// <summary>204 when the guest answers; its failure (a timeout: the guest is not consuming its queue) otherwise.</summary>
    public static async Task<Results<NoContent, TroveErrorResult>> Ping(string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.PingGuest(id, AnyTenant.Id), settings) switch
        {
            InstanceReplies.GuestDone => TypedResults.NoContent(),
            var reply => InstanceAsk.ErrorOf(reply),
        };

}
