using Trove.Web.OpenApi;
using Trove.Actors.Sharding;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Hosting;
using Trove.Actors.Tenants;
using Trove.Web.Auth;
using Trove.Web.Errors;
using Trove.Web.RateLimiting;
using Trove.Web.Requests;
using Trove.Web.Validation;

namespace Trove.Web.Endpoints;

/// <summary><c>/limits</c> (absolute quotas and rate limits) and the admin quota routes under <c>/mgmt/quotas</c>.</summary>
public static class LimitsEndpoints
{
    public static RouteGroupBuilder MapLimits(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/limits", GetLimits).Produces<LimitListShape>();
        tenant.MapGet("/mgmt/quotas/{project}", GetQuotas).Produces<QuotaListShape>();
        tenant.MapPut("/mgmt/quotas/{project}", SetQuotas).Produces<QuotaLimitsShape>().RequireAuthorization(TrovePolicies.Admin);
        return tenant;
    }

    public static async Task<Ok<object>> GetLimits(string tenantId, IRequiredActor<TenantRegion> tenants, TenantRateLimits rateLimits, TroveSettings settings)
    {
        var quotas = await tenants.ActorRef.AskEntityAsync<TenantReplies.Quotas>(new TenantCommands.GetQuotas(tenantId), settings.AskTimeout);
        var limits = new List<object>
        {
            new { verb = "ABSOLUTE", max_instances = quotas.Limits.Instances, max_ram = quotas.Limits.Ram,
                  max_volumes = quotas.Limits.Volumes, max_backups = quotas.Limits.Backups },
        };
        if (rateLimits.Enabled)
            limits.AddRange(TenantRateLimits.Verbs.Select(verb =>
            {
                var (remaining, next) = rateLimits.Peek(tenantId, verb, DateTimeOffset.UtcNow);
                return (object)new
                {
                    verb, uri = "*", regex = ".*", value = rateLimits.PerMinute, unit = "MINUTE", remaining,
                    nextAvailable = next.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                };
            }));
        return TypedResults.Ok<object>(new { limits });
    }

    public static async Task<Results<Ok<object>, TroveErrorResult>> GetQuotas(string tenantId, string project, HttpContext context,
        IRequiredActor<TenantRegion> tenants, TroveSettings settings)
    {
        if (project != tenantId && !context.IsAdmin())
            return TroveError.Result(403, "Only an admin can see another project's quotas.");
        var quotas = await tenants.ActorRef.AskEntityAsync<TenantReplies.Quotas>(new TenantCommands.GetQuotas(project), settings.AskTimeout);
        return TypedResults.Ok<object>(new { quotas = QuotaRows(quotas) });
    }

    public static async Task<Results<Ok<object>, TroveErrorResult>> SetQuotas(string project, Body<QuotasBody> body,
        IRequiredActor<TenantRegion> tenants, TroveSettings settings)
    {
        var limits = body.Value.Limits();
        return await tenants.ActorRef.AskEntityAsync<TenantReply>(new TenantCommands.SetQuotas(project, limits), settings.AskTimeout) switch
        {
            TenantReplies.Quotas => TypedResults.Ok<object>(new { quotas = limits }),
            TenantReplies.InvalidQuotas invalid => TroveError.Result(400, invalid.Message),
            var other => TroveError.Result(500, $"Unexpected reply {other.GetType().Name}."),
        };
    }

    private static object[] QuotaRows(TenantReplies.Quotas q) =>
    [
        new { resource = "instances", in_use = q.Usage.Instances, reserved = 0, limit = q.Limits.Instances },
        new { resource = "volumes", in_use = q.Usage.Volumes, reserved = 0, limit = q.Limits.Volumes },
        new { resource = "backups", in_use = q.Usage.Backups, reserved = 0, limit = q.Limits.Backups },
        new { resource = "ram", in_use = q.Usage.Ram, reserved = 0, limit = q.Limits.Ram },
    ];
}
