using Akka.Hosting;
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
        var root = tenant.MapGroup("/instances/{id}/root");
        root.MapPost("", EnableRoot);
        root.MapGet("", IsRootEnabled);
        root.MapDelete("", DisableRoot);
        return tenant;
    }

    /// <summary>The body is optional: without one, the guest generates the password.</summary>
    public static async Task<IResult> EnableRoot(string tenantId, string id, HttpRequest request, IRequiredActor<InstanceRegion> instances, TroveSettings settings)
    {
        var password = request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0
            ? (await JsonBody.ReadAsync(request, RootBody.JsonInfo)).Password
            : null;
        return await instances.AskAsync(new InstanceCommands.EnableRoot(id, tenantId, password), settings) switch
        {
            InstanceReplies.RootEnabled enabled => Results.Json(new { user = new { name = enabled.Credentials.Name, password = enabled.Credentials.Password } }),
            var reply => ErrorOf(reply),
        };
    }

    public static async Task<IResult> IsRootEnabled(string tenantId, string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        Results.Json(new { rootEnabled = (await instances.StateAsync(tenantId, id, settings)).RootEverEnabled });

    public static async Task<IResult> DisableRoot(string tenantId, string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
        await instances.AskAsync(new InstanceCommands.DisableRoot(id, tenantId), settings) switch
        {
            InstanceReplies.GuestResult => Results.NoContent(),
            var reply => ErrorOf(reply),
        };
}
