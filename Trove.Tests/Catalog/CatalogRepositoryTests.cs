using Trove.Actors.Catalog;
using Trove.Actors.Sql;

namespace Trove.Tests.Catalog;

/// <summary>The catalog on a real SQLite file: seeded from configuration, changed by admins, kept across restarts.</summary>
public sealed class CatalogRepositoryTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.db");
    private CatalogRepository Repository() => new(new SqlDatabase("SQLite.MS", $"Data Source={_file}"), new CatalogSettings());

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task Configuration_seeds_flavors_and_datastores()
    {
        var repository = Repository();
        await repository.EnsureSeededAsync();
        var catalog = await repository.LoadAsync();
        Assert.Equal(512, catalog.FindFlavor("small")!.Ram);
        Assert.Equal("15", CatalogService.FindVersion(catalog.FindDatastore("postgresql")!, "15")!.Name);
    }

    [Fact]
    public async Task An_admin_s_new_and_deactivated_versions_survive_a_restart_and_a_reseed()
    {
        var repository = Repository();
        await repository.EnsureSeededAsync();
        var added = await repository.AddVersionAsync("postgresql", "15-custom", active: true, makeDefault: false);
        var seeded = (await repository.LoadAsync()).FindDatastore("postgresql")!.Versions.Single(v => v.Name == "15").Id;
        Assert.True(await repository.SetVersionActiveAsync(seeded, false));
        Assert.False(await repository.SetVersionActiveAsync("no-such-version", false));
        await Assert.ThrowsAsync<InvalidOperationException>(() => repository.AddVersionAsync("postgresql", "15-custom", true, false));

        var restarted = Repository();
        await restarted.EnsureSeededAsync();
        var postgres = (await restarted.LoadAsync()).FindDatastore("postgresql")!;
        Assert.False(CatalogService.FindVersion(postgres, "15")!.Active);
        Assert.Equal(added, CatalogService.FindVersion(postgres, "15-custom")!.Id);
    }
}
