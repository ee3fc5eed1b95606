using LinqToDB;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;

namespace Trove.Tests.ReadModel;

/// <summary>The read model's list pages on a real SQLite file, served from memory for a moment.</summary>
public sealed class ReadModelDbTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"readmodel-{Guid.NewGuid():N}.db");

    public void Dispose() => File.Delete(_file);

    private async Task<ReadModelDb> CreateAsync(TimeSpan cacheFor)
    {
        var db = new ReadModelDb(new SqlDatabase("SQLite.MS", $"Data Source={_file};Pooling=false"), cacheFor);
        await db.EnsureCreatedAsync();
        return db;
    }

    private static async Task AddRowAsync(ReadModelDb db, string id, string tenant = "demo")
    {
        await using var connection = db.Open();
        await connection.InsertAsync(new EntityRow { Kind = "thing", Id = id, TenantId = tenant, CreatedTicks = DateTime.UtcNow.Ticks, State = $"\"{id}\"" });
    }

    [Fact]
    public async Task A_page_is_served_from_memory_until_the_tenant_s_rows_change()
    {
        var db = await CreateAsync(TimeSpan.FromMinutes(5));
        await AddRowAsync(db, "a");
        var first = await db.ListAsync<string>("thing", "demo", 20, null);
        Assert.Equal(["a"], first);

        await AddRowAsync(db, "b");
        // the cached page, the very same object: the API keeps the page's rendered bytes with it (RenderedViews)
        Assert.Same(first, await db.ListAsync<string>("thing", "demo", 20, null));
        db.Invalidate("thing", "other");
        Assert.Same(first, await db.ListAsync<string>("thing", "demo", 20, null)); // another tenant's change
        db.Invalidate("thing", "demo");
        var changed = await db.ListAsync<string>("thing", "demo", 20, null);
        Assert.Equal(["b", "a"], changed);
        Assert.NotSame(first, changed);
    }

    [Fact]
    public async Task Without_a_cache_every_list_reads_the_table()
    {
        var db = await CreateAsync(TimeSpan.Zero);
        await AddRowAsync(db, "a");
        Assert.Single(await db.ListAsync<string>("thing", "demo", 20, null));
        await AddRowAsync(db, "b");
        Assert.Equal(2, (await db.ListAsync<string>("thing", "demo", 20, null)).Count);
    }

    [Fact]
    public async Task Live_among_answers_only_the_ids_asked_that_are_live_entities_of_the_kind()
    {
        var db = await CreateAsync(TimeSpan.Zero);
        foreach (var id in new[] { "a", "b", "c" })
            await AddRowAsync(db, id, tenant: id == "c" ? "other" : "demo");
        await using (var connection = db.Open())
            await connection.GetTable<EntityRow>().Where(r => r.Id == "b").Set(r => r.Deleted, true).UpdateAsync();

        Assert.Equal(["a", "c"], (await db.LiveAmongAsync("thing", ["a", "b", "c", "gone", "a"])).Order());
        Assert.Empty(await db.LiveAmongAsync("other-kind", ["a"]));
        Assert.Equal(["a"], await db.LiveAmongAsync("thing", Enumerable.Range(0, 600).Select(i => $"x{i}").Append("a"))); // asked in parts
    }
}
