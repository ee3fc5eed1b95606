using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Trove.Guest.Datastores;
using Trove.Guest.Datastores.MariaDb;
using Trove.Guest.Datastores.Postgres;
using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

public static class DatastoreRegistration
{
    /// <summary>Picks the datastore manager by the guest's datastore, as upstream's datastore registry does.</summary>
    public static IServiceCollection AddDatastoreManager(this IServiceCollection services, GuestInfo info) =>
        info.Datastore switch
        {
            "postgresql" => services.AddSingleton<IDatastoreManager>(sp =>
                new PostgresManager(info.Directory, info.Port, sp.GetRequiredService<ILogger<PostgresManager>>())),
            "mariadb" => services.AddSingleton<IDatastoreManager>(sp =>
                new MariaDbManager(info.Directory, info.Port, sp.GetRequiredService<ILogger<MariaDbManager>>())),
            _ => throw new NotSupportedException($"datastore '{info.Datastore}' has no guest manager"),
        };
}
