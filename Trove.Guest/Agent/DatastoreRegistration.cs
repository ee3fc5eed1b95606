using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Trove.Contracts.Datastores;
using Trove.Guest.Datastores;
using Trove.Guest.Datastores.MariaDb;
using Trove.Guest.Datastores.Postgres;
using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

public static class DatastoreRegistration
{
    /// <summary>The guest's manager of each datastore profile, as upstream's datastore registry.</summary>
    public static readonly IReadOnlyDictionary<DatastoreProfile, Func<GuestInfo, ILoggerFactory, IDatastoreManager>> Managers =
        new Dictionary<DatastoreProfile, Func<GuestInfo, ILoggerFactory, IDatastoreManager>>
        {
            [DatastoreProfiles.Postgres] = (info, logs) => new PostgresManager(info.Directory, info.ListenAddress, info.Port, logs.CreateLogger<PostgresManager>(),
                info.WalArchive, info.WalArchiveGranted),
            [DatastoreProfiles.MariaDb] = (info, logs) => new MariaDbManager(info.Directory, info.ListenAddress, info.Port, logs.CreateLogger<MariaDbManager>()),
        };

    /// <summary>The guest's datastore profile and its manager.</summary>
    public static IServiceCollection AddDatastoreManager(this IServiceCollection services, GuestInfo info)
    {
        var profile = DatastoreProfiles.Of(info.Datastore);
        var create = Managers.GetValueOrDefault(profile)
                     ?? throw new NotSupportedException($"datastore '{info.Datastore}' has no guest manager");
        return services
            .AddSingleton(profile)
            .AddSingleton(sp => create(info, sp.GetRequiredService<ILoggerFactory>()));
    }
}
