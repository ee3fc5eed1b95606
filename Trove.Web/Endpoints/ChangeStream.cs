using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Streams;
using Microsoft.AspNetCore.Http.Metadata;
using Akka.Streams.Dsl;
using Trove.Actors.Catalog;
using Trove.Actors.Configurations;
using Trove.Actors.History;
using Trove.Actors.Tenants;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary>
/// A Server-Sent Events answer: each change to the tenant's instances and backups (or to one instance's) after
/// <paramref name="after"/>, as <c>id</c> (the journal offset, for <c>Last-Event-ID</c>), <c>event</c> (instance or
/// backup) and <c>data</c> (the entity's view after the change and its history entry), and a comment line whenever it
/// has been silent for the keep-alive. It ends when the client goes away or the node stops.
/// </summary>
public sealed class ChangeStream(string tenantId, string? instanceId, long after) : IResult, IEndpointMetadataProvider
{
    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));

    private static readonly object KeepAlive = new();

    public async Task ExecuteAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var journal = services.GetRequiredService<EntityJournal>();
        var feed = services.GetRequiredService<ChangeFeed>();
        var settings = services.GetRequiredService<Trove.Actors.Hosting.TroveSettings>();
        var catalog = services.GetRequiredService<CatalogRepository>();
        var configurations = services.GetRequiredService<ConfigurationRepository>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted,
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(stop.Token);

        var (kill, queue) = (await feed.ChangesAfterAsync(after, stop.Token))
            .Where(c => AnyTenant.Reaches(tenantId, c.TenantId) && (instanceId is null || c.InstanceId == instanceId))
            .Select(c => (object)c)
            .KeepAlive(settings.EventStreamKeepAlive, () => KeepAlive)
            .ViaMaterialized(KillSwitches.Single<object>(), Keep.Right)
            .ToMaterialized(Sink.Queue<object>(), Keep.Both)
            .Run(journal.Materializer);
        try
        {
            while ((await queue.PullAsync().WaitAsync(stop.Token)) is { HasValue: true, Value: var item })
            {
                var text = item is EntityChange change ? await MessageAsync(change, context.Request, catalog, configurations, stop.Token) : ": keep-alive\n\n";
                await response.WriteAsync(text, stop.Token);
                await response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the client went away, or the node is stopping: the stream ends here
        }
        finally
        {
            kill.Shutdown();
        }
    }

    private static async Task<string> MessageAsync(EntityChange change, HttpRequest request, CatalogRepository catalog,
        ConfigurationRepository configurations, CancellationToken ct)
    {
        var data = new JsonObject();
        string kind;
        if (change.Instance is { } instance)
        {
            kind = "instance";
            var group = instance.ConfigurationId is { } groupId ? await configurations.GetAsync(instance.TenantId, groupId, ct) : null;
            var view = InstanceView.Detail(instance, request, configurationName: group?.Name);
            view["status"] = InstanceHistory.StatusOf(instance);
            data["instance"] = view;
        }
        else
        {
            kind = "backup";
            var view = JsonSerializer.SerializeToNode(BackupView.Of(change.Backup!, await catalog.LoadAsync(ct)))!.AsObject();
            view["status"] = BackupHistory.StatusOf(change.Backup!);
            data["backup"] = view;
        }
        data["event"] = HistoryView.Of(change.Entry);
        return $"id: {change.Offset}\nevent: {kind}\ndata: {data.ToJsonString()}\n\n";
    }
}
