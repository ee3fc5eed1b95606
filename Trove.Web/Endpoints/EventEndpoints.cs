using Trove.Web.OpenApi;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Trove.Actors.History;
using Trove.Actors.Tenants;
using Trove.Web.Errors;
using Trove.Web.Validation;
using Trove.Web.Views;

namespace Trove.Web.Endpoints;

/// <summary>An instance's and a backup's history, read from its journal, and the live stream of the tenant's changes
/// (<see cref="ChangeStream"/>), read from the journal too: any node serves it.</summary>
public static class EventEndpoints
{
    public static RouteGroupBuilder MapEvents(this RouteGroupBuilder tenant)
    {
        tenant.MapGet("/events/stream", TenantStream);
        tenant.MapGet("/instances/{id}/events/stream", InstanceStream);
        tenant.MapGet("/instances/{id}/events", InstanceHistoryPage).Produces<HistoryPageShape>();
        tenant.MapGet("/backups/{id}/events", BackupHistoryPage).Produces<HistoryPageShape>();
        return tenant;
    }

    public static async Task<Results<ChangeStream, TroveErrorResult>> TenantStream(string tenantId, HttpRequest request, EntityJournal journal) =>
        new ChangeStream(tenantId, null, await StartAfterAsync(request, journal));

    /// <summary>One instance's stream, once its journal shows it is the tenant's: a client back after the instance was
    /// deleted still gets what it missed, its deletion included.</summary>
    public static async Task<Results<ChangeStream, TroveErrorResult>> InstanceStream(string tenantId, string id, HttpRequest request, EntityJournal journal)
    {
        var after = await StartAfterAsync(request, journal);
        return await journal.TenantOfInstanceAsync(id, request.HttpContext.RequestAborted) is { } owner && AnyTenant.Reaches(tenantId, owner)
            ? new ChangeStream(tenantId, id, after)
            : TroveError.Result(404, $"Instance {id} cannot be found.");
    }

    public static async Task<Results<Ok<JsonObject>, TroveErrorResult>> InstanceHistoryPage(string tenantId, string id, HttpRequest request,
        EntityJournal journal, int? limit, string? marker)
    {
        var steps = await journal.InstanceHistoryAsync(id, request.HttpContext.RequestAborted);
        return steps is [var first, ..] && AnyTenant.Reaches(tenantId, first.State.TenantId)
            ? Page(request, steps.Select(s => s.Entry), limit, marker)
            : TroveError.Result(404, $"Instance {id} cannot be found.");
    }

    public static async Task<Results<Ok<JsonObject>, TroveErrorResult>> BackupHistoryPage(string tenantId, string id, HttpRequest request,
        EntityJournal journal, int? limit, string? marker)
    {
        var steps = await journal.BackupHistoryAsync(id, request.HttpContext.RequestAborted);
        return steps is [var first, ..] && AnyTenant.Reaches(tenantId, first.State.TenantId)
            ? Page(request, steps.Select(s => s.Entry), limit, marker)
            : TroveError.Result(404, $"Backup {id} cannot be found.");
    }

    /// <summary>Oldest first, paged by the id (sequence number) of the last entry seen.</summary>
    private static Ok<JsonObject> Page(HttpRequest request, IEnumerable<HistoryEntry> entries, int? limit, string? marker)
    {
        var size = Paging.Size(limit);
        var after = marker is null ? 0 : long.TryParse(marker, out var seen) && seen >= 0 ? seen : throw RequestError.Invalid($"'marker' must be an event id, not '{marker}'.");
        var page = entries.Where(e => e.Id > after).Take(size).ToList();
        return Paging.Fetched(request, "events", page, size, e => e.Id.ToString(), e => HistoryView.Of(e));
    }

    /// <summary>After the client's <c>Last-Event-ID</c> (the header, or <c>last_event_id</c> for a client that cannot set
    /// it), else after the journal's newest event: a new stream starts now, with no replay.</summary>
    private static async Task<long> StartAfterAsync(HttpRequest request, EntityJournal journal)
    {
        var given = request.Headers["Last-Event-ID"].FirstOrDefault() ?? request.Query["last_event_id"].FirstOrDefault();
        if (string.IsNullOrEmpty(given))
            return await journal.NewestOffsetAsync(request.HttpContext.RequestAborted);
        return long.TryParse(given, out var offset) && offset >= 0 ? offset : throw RequestError.Invalid($"'Last-Event-ID' must be an event id, not '{given}'.");
    }
}
