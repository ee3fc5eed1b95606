using Trove.Web.OpenApi;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.Backups;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Web.Errors;

namespace Trove.Web.Endpoints;

/// <summary>The part of the Swift object API that troveclient's <c>log tail</c> and <c>log save</c> read published guest
/// logs with (<c>/swift/{container}</c>, the built-in identity service's <c>object-store</c>): the container's listing by
/// prefix, an object's head (its <c>X-Object-Meta-Lines</c>) and its text. Only the tenant's own instances' logs.</summary>
public static class LogObjectEndpoints
{
    public sealed record ObjectEntry(string name, long bytes, string last_modified, string hash, string content_type);

    public static RouteGroupBuilder MapLogObjects(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/swift/{container}", ListObjects).Produces<IReadOnlyList<LogObjectShape>>();
        tenant.MapGet("/swift/{container}/{name}", GetObject).Produces<string>(contentType: "text/plain");
        tenant.MapMethods("/swift/{container}/{name}", ["HEAD"], HeadObject);
        return tenant;
    }

    public static async Task<Results<Ok<ObjectEntry[]>, TroveErrorResult>> ListObjects(string tenantId, string container, string? prefix,
        IRequiredActor<InstanceRegion> instances, PublishedLogs published, TroveSettings settings) =>
        await FindAsync(tenantId, container, $"{prefix}log", instances, published, settings) is { } log
            ? TypedResults.Ok(new[] { new ObjectEntry(log.ObjectName, log.Bytes, log.PublishedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff"), "", "text/plain") })
            : NotFound(container);

    public static async Task<Results<ContentHttpResult, TroveErrorResult>> GetObject(string tenantId, string container, string name, HttpContext context,
        IRequiredActor<InstanceRegion> instances, PublishedLogs published, TroveSettings settings)
    {
        if (await FindAsync(tenantId, container, name, instances, published, settings) is not { } log)
            return NotFound(container);
        Describe(context.Response, log);
        return TypedResults.Text(await published.ReadAsync(log.InstanceId, log.LogName, context.RequestAborted), "text/plain");
    }

    public static async Task<Results<Ok, TroveErrorResult>> HeadObject(string tenantId, string container, string name, HttpContext context,
        IRequiredActor<InstanceRegion> instances, PublishedLogs published, TroveSettings settings)
    {
        if (await FindAsync(tenantId, container, name, instances, published, settings) is not { } log)
            return NotFound(container);
        Describe(context.Response, log);
        context.Response.ContentLength = log.Bytes;
        return TypedResults.Ok();
    }

    /// <summary>A published log of one of the tenant's instances, by its object's name; null for anything else.</summary>
    private static async Task<PublishedLog?> FindAsync(string tenantId, string container, string objectName, IRequiredActor<InstanceRegion> instances,
        PublishedLogs published, TroveSettings settings) =>
        container == PublishedLogs.Container && PublishedLogs.Parse(objectName) is var (instanceId, logName)
        && await instances.AskAsync(new InstanceCommands.Get(instanceId, tenantId), settings) is InstanceReplies.Found
            ? published.Find(instanceId, logName)
            : null;

    private static void Describe(HttpResponse response, PublishedLog log)
    {
        response.Headers["X-Object-Meta-Lines"] = log.Lines.ToString();
        response.Headers.LastModified = log.PublishedAt.ToString("R");
        response.Headers.ETag = $"\"{log.Bytes:x}-{log.PublishedAt.UtcTicks:x}\"";
    }

    private static TroveErrorResult NotFound(string container) => TroveError.Result(404, $"Nothing published in '{container}' by that name.");
}
