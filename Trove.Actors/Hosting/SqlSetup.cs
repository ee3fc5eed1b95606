using Microsoft.Extensions.DependencyInjection;
using Trove.Actors.Backups;
using Trove.Actors.Catalog;
using Trove.Actors.Configurations;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;

namespace Trove.Actors.Hosting;

public static class SqlSetup
{
    /// <summary>The journal and the read model in write-ahead-log mode when they are SQLite files.</summary>
    public static async Task UseWriteAheadLogAsync(this TroveSettings settings)
    {
        await SqliteJournalMode.UseWriteAheadLogAsync(settings.DatabaseProvider, settings.JournalConnection);
        await SqliteJournalMode.UseWriteAheadLogAsync(settings.DatabaseProvider, settings.ReadModelConnection);
    }

    /// <summary>Creates the node's SQL tables if missing (and the journal's tag index), and seeds the catalog and the parameter rules.</summary>
    public static async Task PrepareTroveDatabaseAsync(this IServiceProvider services, string rulesDirectory)
    {
        var settings = services.GetRequiredService<TroveSettings>();
        await settings.UseWriteAheadLogAsync();
        await JournalTagIndex.EnsureAsync(settings.DatabaseProvider, settings.JournalConnection);
        await services.GetRequiredService<ReadModelDb>().EnsureCreatedAsync([InstanceRegistration.Projection, BackupRegistration.Projection]);
        var catalog = services.GetRequiredService<CatalogRepository>();
        await catalog.EnsureSeededAsync();
        if (services.GetService<IFlavorSource>() is { } cloud)
            await catalog.ReplaceFlavorsAsync(await cloud.FlavorsAsync(CancellationToken.None));
        await services.GetRequiredService<ConfigurationRepository>().EnsureSeededAsync(rulesDirectory);
    }
}
