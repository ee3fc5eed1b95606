using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Hosting;
using Trove.Actors.Catalog;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Web.Errors;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary><c>/v1.0/{tenant_id}/instances</c>: lists read the read model; everything else asks the instance's entity.</summary>
public static class InstanceEndpoints
{
    private const int DefaultPageSize = 20;

    public static RouteGroupBuilder MapInstances(this RouteGroupBuilder tenant)
    {
        var instances = tenant.MapGroup("/instances");
        instances.MapGet("", (string tenantId, HttpRequest request, ReadModelDb readModel, int? limit, string? marker) =>
            List(tenantId, request, readModel, limit, marker, InstanceView.Summary));
        instances.MapGet("/detail", (string tenantId, HttpRequest request, ReadModelDb readModel, int? limit, string? marker) =>
            List(tenantId, request, readModel, limit, marker, InstanceView.Detail));
        instances.MapPost("", Create);
        instances.MapGet("/{id}", Show);
        instances.MapDelete("/{id}", Delete);
        return tenant;
    }

    private static async Task<IResult> List(string tenantId, HttpRequest request, ReadModelDb readModel, int? limit, string? marker,
        Func<InstanceState, HttpRequest, JsonObject> view)
    {
        if (limit is < 1)
            return TroveError.BadRequest("Validation error: 'limit' must be at least 1.");
        var pageSize = Math.Min(limit ?? DefaultPageSize, 1000);
        var page = await readModel.ListInstancesAsync(tenantId, pageSize, marker, request.HttpContext.RequestAborted);
        var body = new JsonObject { ["instances"] = new JsonArray(page.Select(s => (JsonNode)view(s, request)).ToArray()) };
        if (Links.NextPage(request, page.Count, pageSize, page.LastOrDefault()?.Id) is { } next)
            body["links"] = JsonSerializer.SerializeToNode(next);
        return Results.Json(body);
    }

    private static async Task<IResult> Create(string tenantId, HttpRequest request, CatalogService catalog,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        InstanceRequest parsed;
        try
        {
            parsed = CreateInstanceParser.Parse(await ReadJsonAsync(request), tenantId, catalog);
        }
        catch (RequestError error)
        {
            return error.ToResult();
        }
        var id = Guid.NewGuid().ToString();
        var reply = await instances.ActorRef.Ask<object>(new InstanceCommands.Create(id, parsed), settings.AskTimeout);
        return reply switch
        {
            InstanceReplies.Accepted accepted => Results.Json(new JsonObject { ["instance"] = InstanceView.Detail(accepted.State, request) }),
            _ => ErrorOf(reply),
        };
    }

    private static async Task<IResult> Show(string tenantId, string id, HttpRequest request,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var reply = await instances.ActorRef.Ask<object>(new InstanceCommands.Get(id, tenantId), settings.AskTimeout);
        return reply is InstanceReplies.Found found
            ? Results.Json(new JsonObject { ["instance"] = InstanceView.Detail(found.State, request) })
            : ErrorOf(reply);
    }

    private static async Task<IResult> Delete(string tenantId, string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var reply = await instances.ActorRef.Ask<object>(new InstanceCommands.Delete(id, tenantId), settings.AskTimeout);
        return reply is InstanceReplies.Accepted ? Results.Accepted() : ErrorOf(reply);
    }

    private static IResult ErrorOf(object reply) => reply switch
    {
        InstanceReplies.NotFound nf => TroveError.NotFound($"Instance {nf.InstanceId} cannot be found."),
        InstanceReplies.Refused refused => TroveError.Unprocessable(refused.Message),
        InstanceReplies.Failed failed => TroveError.Internal(failed.Message),
        _ => TroveError.Internal($"Unexpected reply {reply.GetType().Name}."),
    };

    /// <summary>The body as JSON; malformed JSON is the client's error, answered with Trove's 400.</summary>
    internal static async Task<JsonNode?> ReadJsonAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new RequestError(400, $"Malformed request body: {e.Message}");
        }
    }
}
