using Microsoft.Extensions.DependencyInjection;
using Trove.Actors.Catalog;
using Trove.Actors.Configurations;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;

namespace Trove.Actors.Hosting;

public static class SqlSetup
{
    /// <summary>Creates the node's SQL tables if missing and seeds the catalog and the parameter rules.</summary>
    public static async Task PrepareTroveDatabaseAsync(this IServiceProvider services, string rulesDirectory)
    {
        var settings = services.GetRequiredService<TroveSettings>();
        await SqliteJournalMode.UseWriteAheadLogAsync(settings.DatabaseProvider, settings.JournalConnection);
        await SqliteJournalMode.UseWriteAheadLogAsync(settings.DatabaseProvider, settings.ReadModelConnection);
        await services.GetRequiredService<ReadModelDb>().EnsureCreatedAsync();
        await services.GetRequiredService<CatalogRepository>().EnsureSeededAsync();
        await services.GetRequiredService<ConfigurationRepository>().EnsureSeededAsync(rulesDirectory);
    }
}
