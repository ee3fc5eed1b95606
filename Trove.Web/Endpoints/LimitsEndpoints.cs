using Akka.Actor;
using Akka.Hosting;
using Trove.Actors.Hosting;
using Trove.Actors.Tenants;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.RateLimiting;
using Trove.Web.Validation;

namespace Trove.Web.Endpoints;

/// <summary><c>/limits</c> (absolute quotas and rate limits) and the admin quota routes under <c>/mgmt/quotas</c>.</summary>
public static class LimitsEndpoints
{
    public static RouteGroupBuilder MapLimits(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/limits", async (string tenantId, IRequiredActor<TenantRegion> tenants, TenantRateLimiter limiter, TroveSettings settings) =>
        {
            var quotas = await tenants.ActorRef.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas(tenantId), settings.AskTimeout);
            var limits = new List<object>
            {
                new { verb = "ABSOLUTE", max_instances = quotas.Limits.Instances, max_ram = quotas.Limits.Ram,
                      max_volumes = quotas.Limits.Volumes, max_backups = quotas.Limits.Backups },
            };
            if (limiter.Enabled)
                limits.AddRange(TenantRateLimiter.Verbs.Select(verb =>
                {
                    var (remaining, next) = limiter.Peek(tenantId, verb);
                    return (object)new
                    {
                        verb, uri = "*", regex = ".*", value = limiter.PerMinute, unit = "MINUTE", remaining,
                        nextAvailable = next.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                    };
                }));
            return Results.Json(new { limits });
        });

        tenant.MapGet("/mgmt/quotas/{project}", async (string tenantId, string project, HttpContext context,
            IRequiredActor<TenantRegion> tenants, TroveSettings settings) =>
        {
            if (project != tenantId && !context.IsAdmin())
                return TroveError.Of(403, "Only an admin can see another project's quotas.");
            var quotas = await tenants.ActorRef.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas(project), settings.AskTimeout);
            return Results.Json(new { quotas = QuotaRows(quotas) });
        });

        tenant.MapPut("/mgmt/quotas/{project}", (string project, HttpContext context,
            IRequiredActor<TenantRegion> tenants, TroveSettings settings) => InstanceAsk.Guarded(async () =>
        {
            var body = JsonBody.Object(await JsonBody.ReadAsync(context.Request), "quotas");
            var limits = new Dictionary<string, int>();
            foreach (var (resource, value) in body)
                limits[resource] = int.TryParse(JsonBody.Scalar(body, resource), out var n)
                    ? n
                    : throw RequestError.Invalid($"the quota of '{resource}' must be a whole number, -1 for unlimited.");
            return await tenants.ActorRef.Ask<TenantReply>(new TenantCommands.SetQuotas(project, limits), settings.AskTimeout) switch
            {
                TenantReplies.Quotas quotas => Results.Json(new { quotas = limits.ToDictionary(l => l.Key, l => l.Value) }),
                TenantReplies.InvalidQuotas invalid => TroveError.BadRequest(invalid.Message),
                var other => TroveError.Internal($"Unexpected reply {other.GetType().Name}."),
            };
        })).RequireAuthorization(TrovePolicies.Admin);
        return tenant;
    }

    private static object[] QuotaRows(TenantReplies.Quotas q) =>
    [
        new { resource = "instances", in_use = q.Usage.Instances, reserved = 0, limit = q.Limits.Instances },
        new { resource = "volumes", in_use = q.Usage.Volumes, reserved = 0, limit = q.Limits.Volumes },
        new { resource = "backups", in_use = q.Usage.Backups, reserved = 0, limit = q.Limits.Backups },
        new { resource = "ram", in_use = q.Usage.Ram, reserved = 0, limit = q.Limits.Ram },
    ];
}
