using System.Text.Json.Nodes;
using Akka.Hosting;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Web.Validation;
using static Trove.Web.Endpoints.InstanceAsk;

namespace Trove.Web.Endpoints;

/// <summary><c>/instances/{id}/root</c>: the engine's superuser, enabled with a password shown once.</summary>
public static class RootEndpoints
{
    public static RouteGroupBuilder MapRoot(this RouteGroupBuilder tenant)
    {
        var root = tenant.MapGroup("/instances/{id}/root");
        root.MapPost("", (string tenantId, string id, HttpRequest request, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            Guarded(async () =>
            {
                string? password = null;
                if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
                {
                    password = JsonBody.String(await JsonBody.ReadAsync(request), "password", required: false);
                    if (password is not null)
                        NameRules.CheckPassword("root", password);
                }
                return await instances.AskAsync(new InstanceCommands.EnableRoot(id, tenantId, password), settings) switch
                {
                    InstanceReplies.RootEnabled enabled => Results.Json(new { user = new { name = enabled.Credentials.Name, password = enabled.Credentials.Password } }),
                    var reply => ErrorOf(reply),
                };
            }));
        root.MapGet("", (string tenantId, string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            Guarded(async () => Results.Json(new { rootEnabled = (await instances.StateAsync(tenantId, id, settings)).RootEverEnabled })));
        root.MapDelete("", (string tenantId, string id, IRequiredActor<InstanceRegion> instances, TroveSettings settings) =>
            Guarded(async () => await instances.AskAsync(new InstanceCommands.DisableRoot(id, tenantId), settings) switch
            {
                InstanceReplies.GuestResult => Results.NoContent(),
                var reply => ErrorOf(reply),
            }));
        return tenant;
    }
}
