using Trove.Web.OpenApi;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Backups;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;
using Trove.Web.Errors;
using Trove.Web.Requests;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary>Upstream's guest logs, <c>/instances/{id}/log</c>: the engine's error and general logs as the instance's guest
/// sees them (one ask), published into the backup storage (<see cref="PublishedLogs"/>), and a published log's text at
/// <c>/instances/{id}/log/{name}</c>. troveclient's <c>log tail</c> and <c>log save</c> read it through the Swift API
/// the built-in identity service names (<see cref="LogObjectEndpoints"/>).</summary>
public static class InstanceLogEndpoints
{
    public static RouteGroupBuilder MapInstanceLogs(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/instances/{id}/log", List).Produces<GuestLogListShape>().ProducesTroveErrors(ErrorDocumentation.EntityAsk);
        tenant.MapPost("/instances/{id}/log", Act).Produces<GuestLogDocumentShape>().ProducesTroveErrors(ErrorDocumentation.EntityAsk);
        tenant.MapGet("/instances/{id}/log/{name}", Contents).Produces<string>(contentType: "text/plain");
        return tenant;
    }

    public static async Task<Results<Ok<Dictionary<string, object>>, TroveErrorResult>> List(string tenantId, string id,
        IRequiredActor<InstanceRegion> instances, PublishedLogs published, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.ListGuestLogs(id, tenantId), settings) switch
        {
            InstanceReplies.GuestLogsListed listed => TypedResults.Ok(new Dictionary<string, object>
            {
                ["logs"] = listed.Logs.Select(l => GuestLogView.Of(l, published.Find(id, l.Name), id)).ToList(),
            }),
            var reply => InstanceAsk.ErrorOf(reply),
        };

    /// <summary>Upstream's order, in one ask: enable or disable (and, to publish, read the log); then discard what was
    /// published, then publish the copy read.</summary>
    public static async Task<Results<Ok<Dictionary<string, object>>, TroveErrorResult>> Act(string tenantId, string id, Body<GuestLogBody> body,
        IRequiredActor<InstanceRegion> instances, PublishedLogs published, TroveSettings settings, HttpContext context)
    {
        var action = body.Value;
        var name = action.Name!;
        var reply = await instances.AskAsync(new InstanceCommands.SetGuestLog(id, tenantId, name,
            action.Enabling ? true : action.Disabling ? false : null, Read: action.Publishing), settings);
        var log = reply switch
        {
            InstanceReplies.GuestLogsListed { Logs: [var listed] } => listed,
            InstanceReplies.GuestLogRead read => read.Read.Log,
            _ => null,
        };
        if (log is null)
            return InstanceAsk.ErrorOf(reply);
        if (action.Discarding)
            published.Discard(id, name);
        if (reply is InstanceReplies.GuestLogRead { Read.Contents: var contents })
            await published.PublishAsync(id, name, contents, context.RequestAborted);
        return TypedResults.Ok(new Dictionary<string, object> { ["log"] = GuestLogView.Of(log, published.Find(id, name), id) });
    }

    /// <summary>The published copy's text; 404 while nothing is published (or the instance is not the tenant's).</summary>
    public static async Task<Results<ContentHttpResult, TroveErrorResult>> Contents(string tenantId, string id, string name,
        IRequiredActor<InstanceRegion> instances, PublishedLogs published, TroveSettings settings, HttpContext context)
    {
        if (await instances.AskAsync(new InstanceCommands.Get(id, tenantId), settings) is not InstanceReplies.Found)
            return TroveError.Result(404, $"Instance {id} cannot be found.");
        return GuestLogNames.All.Contains(name) && published.Find(id, name) is not null
            ? TypedResults.Text(await published.ReadAsync(id, name, context.RequestAborted), "text/plain")
            : TroveError.Result(404, $"No published '{name}' log was found for instance {id}.");
    }

}
