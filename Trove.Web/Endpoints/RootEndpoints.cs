using Trove.Web.OpenApi;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Web.Requests;
using Trove.Web.Validation;
using static Trove.Web.Endpoints.InstanceAsk;

namespace Trove.Web.Endpoints;

/// <summary><c>/instances/{id}/root</c>: the engine's superuser, enabled with a password shown once.</summary>
public static class RootEndpoints
{
    public static RouteGroupBuilder MapRoot(this RouteGroupBuilder tenant)
    {
        var root = tenant.MapGroup("/instances/{id}/root").ProducesTroveErrors(ErrorDocumentation.EntityAsk);
        root.MapPost("", EnableRoot).WithMetadata(new RequestRecord(typeof(RootBody), Optional: true)).Produces<RootEnabledShape>();
        root.MapGet("", IsRootEnabled).Produces<RootStatusShape>();
        root.MapDelete("", DisableRoot);
        return tenant;
    }

    /// <summary>The body is optional: without one, the guest generates the password.</summary>
    public static async Task<Results<Ok<object>, TroveErrorResult>> EnableRoot(string tenantId, string id, HttpRequest request,
        IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var password = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0
            ? (await JsonBody.ReadAsync(request, RootBody.JsonInfo)).Password
            : null;
        return await instances.AskAsync(new InstanceCommands.EnableRoot(id, tenantId, password), settings) switch
        {
            InstanceReplies.RootEnabled enabled =>
                TypedResults.Ok<object>(new { user = new { name = enabled.Credentials.Name, password = enabled.Credentials.Password } }),
            var reply => ErrorOf(reply),
        };
    }

    public static async Task<Ok<object>> IsRootEnabled(string tenantId, string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        TypedResults.Ok<object>(new { rootEnabled = (await instances.StateAsync(tenantId, id, settings)).RootEverEnabled });

    public static async Task<Results<NoContent, TroveErrorResult>> DisableRoot(string tenantId, string id, IRequiredActor<InstanceRegion> instances,
        TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.DisableRoot(id, tenantId), settings) switch
        {
            InstanceReplies.GuestResult => TypedResults.NoContent(),
            var reply => ErrorOf(reply),
        };
}
