using System.Collections.Concurrent;
using System.Text.Json;
using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using Trove.Actors.Sql;

namespace Trove.Actors.ReadModel;

/// <summary>The read model's tables (Linq2Db), for the projections that write them and the API that lists them.
/// Pages of lists are kept for <paramref name="listCacheFor"/>, dropped at once when this node changes the tenant's
/// rows, and served only while the tenant's rows' stamp (the sum of their sequence numbers, which grows with every
/// change, whichever node made it) is the one they were read at: a cached page is never older than the table.</summary>
public sealed class ReadModelDb(SqlDatabase database, TimeSpan listCacheFor = default)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);
    private const int MaxCachedPages = 10_000;
    private readonly ConcurrentDictionary<(string Kind, string? TenantId, int Limit, string? Marker), (long Until, long Stamp, object Page)> _pages = new();

    public DataConnection Open() => database.Open();

    /// <param name="kinds">The kinds whose rows are told busy or not when the busy column is added to an older read model.</param>
    public async Task EnsureCreatedAsync(IReadOnlyList<IProjectedKind>? kinds = null, CancellationToken ct = default)
    {
        await using var db = Open();
        await db.CreateTableAsync<EntityRow>(tableOptions: TableOptions.CreateIfNotExists, token: ct);
        await db.CreateTableAsync<ProjectionOffsetRow>(tableOptions: TableOptions.CreateIfNotExists, token: ct);
        // A tenant's list is its newest rows of a kind: without this, every page sorts all of the kind's rows.
        await db.ExecuteAsync("CREATE INDEX IF NOT EXISTS entity_view_list ON entity_view (kind, tenant_id, deleted, created_ticks DESC, id)", ct);
        var sqlite = database.IsSqlite;
        if (!await HasColumnAsync(db, sqlite, "entity_view", "busy", ct)) // read models made before entities were resumed by it
        {
            await db.ExecuteAsync($"ALTER TABLE entity_view ADD COLUMN busy {(sqlite ? "INTEGER NOT NULL DEFAULT 0" : "boolean NOT NULL DEFAULT false")}", ct);
            foreach (var kind in kinds ?? [])
                await MarkBusyAsync(db, kind, ct);
        }
        await db.ExecuteAsync("CREATE INDEX IF NOT EXISTS entity_view_busy ON entity_view (busy, kind)", ct);
        if (!await HasColumnAsync(db, sqlite, "entity_view", "seq", ct)) // read models made before entities wrote their own rows
            await db.ExecuteAsync($"ALTER TABLE entity_view ADD COLUMN seq {(sqlite ? "INTEGER" : "bigint")} NOT NULL DEFAULT 0", ct);
    }

    // Both SQLite (3.24+) and PostgreSQL: the row is replaced only by a newer state of its entity.
    private const string UpsertNewerSql = """
        INSERT INTO entity_view (kind, id, tenant_id, created_ticks, deleted, busy, state, seq)
        VALUES (@kind, @id, @tenant_id, @created_ticks, @deleted, @busy, @state, @seq)
        ON CONFLICT (kind, id) DO UPDATE SET tenant_id = excluded.tenant_id, created_ticks = excluded.created_ticks,
            deleted = excluded.deleted, busy = excluded.busy, state = excluded.state, seq = excluded.seq
        WHERE entity_view.seq < excluded.seq
        """;

    private static DataParameter[] UpsertParameters(EntityRow row) =>
    [
        new("kind", row.Kind), new("id", row.Id), new("tenant_id", row.TenantId), new("created_ticks", row.CreatedTicks),
        new("deleted", row.Deleted), new("busy", row.Busy), new("state", row.State), new("seq", row.Seq),
    ];

    /// <summary>Writes <paramref name="row"/> unless the read model already holds that entity at the same or a newer
    /// sequence number (its entity wrote it first, or the projection did), then drops the tenant's cached pages.</summary>
    public void UpsertNewer(EntityRow row)
    {
        using (var db = Open())
            db.Execute(UpsertNewerSql, UpsertParameters(row));
        Invalidate(row.Kind, row.TenantId);
    }

    /// <summary><see cref="UpsertNewer(EntityRow)"/> inside the caller's transaction; the caller drops the cached pages.</summary>
    internal static Task UpsertNewerAsync(DataConnection db, EntityRow row) => db.ExecuteAsync(UpsertNewerSql, UpsertParameters(row));

    /// <summary>Once, on upgrade: work that was in progress under the old version is resumed by the new one too.</summary>
    private static async Task MarkBusyAsync(DataConnection db, IProjectedKind kind, CancellationToken ct)
    {
        var live = await db.GetTable<EntityRow>().Where(r => r.Kind == kind.Kind && !r.Deleted).Select(r => new { r.Id, r.State }).ToListAsync(ct);
        foreach (var row in live.Where(r => kind.IsBusy(r.State)))
            await db.GetTable<EntityRow>().Where(r => r.Kind == kind.Kind && r.Id == row.Id).Set(r => r.Busy, true).UpdateAsync(ct);
    }

    private static async Task<bool> HasColumnAsync(DataConnection db, bool sqlite, string table, string column, CancellationToken ct) =>
        sqlite
            ? await db.ExecuteAsync<long>($"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'", ct) > 0
            : await db.ExecuteAsync<long>($"SELECT COUNT(*) FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{column}'", ct) > 0;

    /// <summary>The ids of a kind's entities whose work is in progress.</summary>
    public async Task<IReadOnlyList<string>> BusyIdsAsync(string kind, CancellationToken ct = default)
    {
        await using var db = Open();
        return await db.GetTable<EntityRow>().Where(r => r.Busy && r.Kind == kind).Select(r => r.Id).ToListAsync(ct);
    }

    /// <summary>A tenant's entities of a kind, newest first, paged by the id of the last one seen.</summary>
    public async Task<IReadOnlyList<TState>> ListAsync<TState>(string kind, string? tenantId, int limit, string? marker, CancellationToken ct = default)
    {
        if (listCacheFor <= TimeSpan.Zero)
            return await QueryAsync<TState>(kind, tenantId, limit, marker, ct);
        var key = (kind, tenantId, limit, marker);
        var now = Environment.TickCount64;
        // Read before the page: a page stored with it is at least as new. On SQLite every write is this process's own,
        // which drops the pages it changes (Invalidate): only a database other nodes write needs the stamp's query.
        var stamp = database.IsSqlite ? 0 : await StampAsync(kind, tenantId, ct);
        if (!_pages.TryGetValue(key, out var cached) || cached.Until <= now || cached.Stamp != stamp || cached.Page is not Task<IReadOnlyList<TState>> page)
        {
            // One query per page and moment, shared by every request that asks meanwhile (and not cancelled by any).
            page = QueryAsync<TState>(kind, tenantId, limit, marker, CancellationToken.None);
            if (_pages.Count >= MaxCachedPages)
                _pages.Clear();
            _pages[key] = (now + (long)listCacheFor.TotalMilliseconds, stamp, page);
        }
        try
        {
            return await page.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _pages.TryRemove(key, out _);
            throw;
        }
    }

    /// <summary>Grows with every write of a tenant's rows of a kind (<see cref="UpsertNewer"/> only ever raises a row's sequence number).</summary>
    private async Task<long> StampAsync(string kind, string? tenantId, CancellationToken ct)
    {
        await using var db = Open();
        return await db.GetTable<EntityRow>().Where(r => r.Kind == kind && (tenantId == null || r.TenantId == tenantId))
            .Select(r => (long?)r.Seq).SumAsync(ct) ?? 0;
    }

    /// <summary>Forgets the cached pages of a tenant's entities of a kind: their rows just changed.</summary>
    public void Invalidate(string kind, string tenantId)
    {
        foreach (var key in _pages.Keys)
            if (key.Kind == kind && (key.TenantId == tenantId || key.TenantId is null))
                _pages.TryRemove(key, out _);
    }

    /// <summary><paramref name="tenantId"/> null: every tenant's.</summary>
    private Task<IReadOnlyList<TState>> QueryAsync<TState>(string kind, string? tenantId, int limit, string? marker, CancellationToken ct) =>
        AdminPageAsync<TState>(kind, tenantId, deleted: false, limit, marker, ct);

    /// <summary>An admin's page of a kind's entities, newest first, straight from the table: every tenant's (or
    /// <paramref name="tenantId"/>'s), live ones, deleted ones (<paramref name="deleted"/> true) or both (null).</summary>
    public async Task<IReadOnlyList<TState>> AdminPageAsync<TState>(string kind, string? tenantId, bool? deleted, int limit, string? marker,
        CancellationToken ct = default)
    {
        await using var db = Open();
        var rows = db.GetTable<EntityRow>().Where(r => r.Kind == kind && (tenantId == null || r.TenantId == tenantId) && (deleted == null || r.Deleted == deleted));
        if (marker is not null && await rows.FirstOrDefaultAsync(r => r.Id == marker, ct) is { } last)
            rows = rows.Where(r => r.CreatedTicks < last.CreatedTicks || (r.CreatedTicks == last.CreatedTicks && r.Id.CompareTo(last.Id) > 0));
        var page = await rows.OrderByDescending(r => r.CreatedTicks).ThenBy(r => r.Id).Take(limit).ToListAsync(ct);
        return page.Select(r => JsonSerializer.Deserialize<TState>(r.State, Json)!).ToList();
    }

    /// <summary>All of a tenant's live entities of a kind, newest first, for lists filtered in memory.</summary>
    public Task<IReadOnlyList<TState>> AllAsync<TState>(string kind, string tenantId, CancellationToken ct = default) =>
        ListAsync<TState>(kind, tenantId, int.MaxValue, null, ct);

    /// <summary>Every tenant's live entities of a kind, newest first: an admin's list of all projects.</summary>
    public Task<IReadOnlyList<TState>> AllTenantsAsync<TState>(string kind, CancellationToken ct = default) =>
        ListAsync<TState>(kind, null, int.MaxValue, null, ct);

    /// <summary>One of a tenant's live entities, as the projection last wrote it; null when there is none.</summary>
    public async Task<TState?> FindAsync<TState>(string kind, string tenantId, string id, CancellationToken ct = default) where TState : class
    {
        await using var db = Open();
        var row = await db.GetTable<EntityRow>().FirstOrDefaultAsync(r => r.Kind == kind && r.Id == id && r.TenantId == tenantId && !r.Deleted, ct);
        return row is null ? null : JsonSerializer.Deserialize<TState>(row.State, Json);
    }

    /// <summary>The tenant of an entity the read model holds, deleted or not; null when it holds none.</summary>
    public async Task<string?> TenantOfAsync(string kind, string id, CancellationToken ct = default)
    {
        await using var db = Open();
        return await db.GetTable<EntityRow>().Where(r => r.Kind == kind && r.Id == id).Select(r => r.TenantId).FirstOrDefaultAsync(ct);
    }

    /// <summary>How many live entities of a kind hold each pair of values of two members of their state (JSON null
    /// read as null), counted by the database: no state is read into this process.</summary>
    public async Task<IReadOnlyList<(string? First, string? Second, long Count)>> CountByAsync(string kind, string first, string second,
        CancellationToken ct = default)
    {
        string Member(string name) => database.IsSqlite ? $"CAST(json_extract(state, '$.{name}') AS TEXT)" : $"(state::json ->> '{name}')";
        await using var db = Open();
        return await db.QueryToListAsync(r => (r.IsDBNull(0) ? null : r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2)),
            $"SELECT {Member(first)}, {Member(second)}, COUNT(*) FROM entity_view WHERE kind = @kind AND deleted = @deleted GROUP BY 1, 2", ct,
            new DataParameter("kind", kind), new DataParameter("deleted", false));
    }

    /// <summary>Which of <paramref name="ids"/> are live entities of a kind: its cost follows the ids asked, not the table.</summary>
    public async Task<IReadOnlySet<string>> LiveAmongAsync(string kind, IEnumerable<string> ids, CancellationToken ct = default)
    {
        var live = new HashSet<string>();
        await using var db = Open();
        foreach (var some in ids.Distinct().Chunk(500)) // within any engine's limit on parameters
            live.UnionWith(await db.GetTable<EntityRow>().Where(r => r.Kind == kind && !r.Deleted && some.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct));
        return live;
    }

    /// <summary>The ids of every live entity of a kind, all tenants.</summary>
    public async Task<IReadOnlyList<string>> LiveIdsAsync(string kind, CancellationToken ct = default)
    {
        await using var db = Open();
        return await db.GetTable<EntityRow>().Where(r => r.Kind == kind && !r.Deleted).OrderBy(r => r.Id).Select(r => r.Id).ToListAsync(ct);
    }
}
