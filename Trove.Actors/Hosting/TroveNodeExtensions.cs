using Trove.Actors.Pool;
using Trove.Actors.Broker;
using System.Reflection;
using Akka.Actor;
using Trove.Actors.Admin;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Trove.Actors.Backups;
using Trove.Actors.WalArchive;
using Trove.Actors.Catalog;
using Trove.Actors.Compute;
using Trove.Actors.Compute.OpenStack;
using Trove.Actors.Conductor;
using Trove.Actors.Configurations;
using Trove.Actors.Guests;
using Trove.Actors.History;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Reconciling;
using Trove.Actors.Serialization;
using Trove.Actors.Sql;
using Trove.Actors.Tenants;
using Trove.Actors.Sharding;
using Trove.Actors.Telemetry;

namespace Trove.Actors.Hosting;

/// <summary>Registry key of the conductor stream.</summary>
public sealed class ConductorKey;

/// <summary>Registry key of the node's <see cref="ConductorClockActor"/>.</summary>
public sealed class ConductorClockKey;

/// <summary>Registry key of the instance read-model projection.</summary>
public sealed class InstanceProjectionKey;

/// <summary>Registry key of the backup read-model projection.</summary>
public sealed class BackupProjectionKey;

/// <summary>Registry key of the quota-hold read-model projection.</summary>
public sealed class QuotaHoldProjectionKey;

public static class TroveNodeExtensions
{
    /// <summary>This build's version (with the commit it was built from), shown per member by <c>cluster show</c>.</summary>
    public static string AppVersion { get; } = ShortVersion(typeof(TroveSettings).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>1.0.0+&lt;40-digit commit&gt; as 1.0.0-&lt;7-digit commit&gt; (Akka's app-version takes no '+').</summary>
    private static string ShortVersion(string informational) => informational.Split('+') switch
    {
        [var version, var commit] => $"{version}-{commit[..Math.Min(7, commit.Length)]}",
        _ => informational,
    };

    /// <summary>Everything a control-plane node runs besides HTTP: AMQP clients, compute, catalog, read model, and Akka.</summary>
    public static IServiceCollection AddTroveNode(this IServiceCollection services, TroveSettings settings)
    {
        services.AddSingleton(settings);
        var database = new SqlDatabase(settings.DatabaseProvider, settings.ReadModelConnection);
        services.AddSingleton(new CatalogRepository(database, settings.Catalog));
        var configurations = new ConfigurationRepository(database);
        services.AddSingleton(configurations);
        services.AddSingleton<IConfigurationGroups>(new ConfigurationGroups(configurations));
        services.AddSingleton<IRestorePoints>(sp => new BackupRestorePoints(() => sp.GetRequiredService<ActorRegistry>().Get<BackupRegion>(),
            sp.GetRequiredService<IBackupStorage>(), sp.GetService<IWalArchive>()));
        services.AddSingleton(new ReadModelDb(new SqlDatabase(settings.DatabaseProvider, settings.ReadModelConnection, derived: true), settings.ListCacheFor));
        services.AddSingleton(sp => new EntityJournal(sp.GetRequiredService<ActorSystem>(), new SqlDatabase(settings.DatabaseProvider, settings.JournalConnection),
            sp.GetRequiredService<ReadModelDb>()));
        services.AddSingleton<ChangeFeed>();

        // Registered before Akka, so the broker is connected before the first entity needs it.
        services.AddSingleton(sp => new AmqpClients(settings.Amqp, sp.GetRequiredService<ILogger<AmqpClients>>()));
        services.AddHostedService(sp => sp.GetRequiredService<AmqpClients>());
        services.AddSingleton(GuestBrokerUsers.FromSettings(settings.Amqp, settings.FullDataDir, clustered: settings.SeedNodes.Count > 0));
        services.AddSingleton<OlderReleaseGuests>();
        services.AddSingleton(sp => new ReportCheck(settings.Amqp.ReportClockSkew, sp.GetRequiredService<OlderReleaseGuests>()));
        services.AddSingleton<ConductorClock>();
        services.AddSingleton<IGuestRpc>(sp =>
        {
            var amqp = sp.GetRequiredService<AmqpClients>();
            return new AmqpGuestRpc(amqp, sp.GetRequiredService<GuestBrokerUsers>(), sp.GetRequiredService<OlderReleaseGuests>());
        });
        // The node's cloud account, for Swift backups and Nova servers: made only when one of them is configured and asks for it.
        services.AddSingleton(sp => new KeystoneSession(settings.OpenStack, sp.GetRequiredService<ILogger<KeystoneSession>>()));
        services.AddBackupStorage(settings);
        services.AddSingleton(new PublishedLogs(settings.BackupsDir));
        services.AddCompute(settings);

        services.AddAkka("trove", (builder, sp) => builder.WithTroveNode(settings, sp));
        services.AddHostedService<NodeGauges>(); // after Akka's: it asks the shard regions
        services.AddTroveAdmin(settings.Admin with { Token = NodeAdminToken.LoadOrCreate(settings.Admin, settings.FullDataDir) });
        return services;
    }

    /// <summary>The storage <c>Trove:Backups:Storage</c> names; a name it does not know stops the node before it starts.</summary>
    private static void AddBackupStorage(this IServiceCollection services, TroveSettings settings)
    {
        switch (settings.Backups.Storage)
        {
            case BackupSettings.LocalStorage:
                services.AddSingleton<IBackupStorage>(new LocalBackupStorage(settings.BackupsDir));
                services.AddSingleton<IWalArchive>(new LocalWalArchive(settings.BackupsDir));
                break;
            case BackupSettings.SwiftStorage:
                services.AddSingleton(sp => new SwiftBackupStorage(sp.GetRequiredService<KeystoneSession>(), settings.Backups.Swift));
                services.AddSingleton<IBackupStorage>(sp => sp.GetRequiredService<SwiftBackupStorage>());
                services.AddSingleton(sp => new SwiftWalArchive(sp.GetRequiredService<KeystoneSession>(), sp.GetRequiredService<SwiftBackupStorage>(),
                    settings.Backups.Swift));
                services.AddSingleton<IWalArchive>(sp => sp.GetRequiredService<SwiftWalArchive>());
                services.AddSingleton<IWalArchiveGrants>(sp => new SwiftWalArchiveGrants(sp.GetRequiredService<SwiftWalArchive>(),
                    sp.GetRequiredService<IGuestRpc>(), settings.Backups.Swift.WalGrantTtl));
                break;
            default:
                throw new InvalidOperationException(
                    $"Trove:Backups:Storage is '{settings.Backups.Storage}'; it is {BackupSettings.LocalStorage} or {BackupSettings.SwiftStorage}");
        }
        services.AddSingleton(sp => new WalRetention(sp.GetRequiredService<IWalArchive>(), sp.GetRequiredService<ReadModelDb>(),
            sp.GetRequiredService<ILogger<WalRetention>>()));
    }

    /// <summary>The compute driver <c>Trove:Compute:Driver</c> names; a name it does not know stops the node before it starts.</summary>
    private static void AddCompute(this IServiceCollection services, TroveSettings settings)
    {
        switch (settings.Compute.Driver)
        {
            case ComputeSettings.LocalDriver:
                var localCompute = new LocalComputeSettings
                {
                    ServersDirectory = settings.ServersDir,
                    GuestCommand = GuestAgentFiles.Publish(Path.Combine(settings.FullDataDir, "guest-agent")),
                    AmqpUri = settings.Amqp.Uri,
                    Exchange = settings.Amqp.Exchange,
                    ConductorQueue = settings.Amqp.ConductorQueue,
                    BackupDirectory = settings.BackupsDir,
                    WalArchive = settings.Backups.WalArchive with { Granted = settings.Backups.Storage == BackupSettings.SwiftStorage },
                    HeartbeatIntervalSeconds = settings.GuestHeartbeatIntervalSeconds,
                    AddressRange = settings.LocalServerAddresses,
                    PristineData = settings.Compute.PristineData,
                    PristineDirectory = settings.Compute.PristineDirectory is { Length: > 0 } pristine ? Path.GetFullPath(pristine) : null,
                };
                LocalCompute.PrepareHost(localCompute);
                services.AddSingleton<ICompute>(sp => new LocalCompute(localCompute, sp.GetRequiredService<ILogger<LocalCompute>>()));
                break;
            case ComputeSettings.NovaDriver:
                if (settings.Backups.Storage != BackupSettings.SwiftStorage)
                    throw new InvalidOperationException(
                        $"Trove:Compute:Driver is {ComputeSettings.NovaDriver}: a cloud server's guest cannot reach this node's backups directory; " +
                        $"set Trove:Backups:Storage to {BackupSettings.SwiftStorage}");
                var userData = new NovaUserData(settings.Compute.Nova.GuestBrokerUri is { Length: > 0 } broker ? broker : settings.Amqp.Uri,
                    settings.Amqp.Exchange, settings.Amqp.ConductorQueue, settings.GuestHeartbeatIntervalSeconds)
                    { WalArchive = settings.Backups.WalArchive };
                services.AddSingleton(sp => new NovaCompute(sp.GetRequiredService<KeystoneSession>(), settings.Compute.Nova,
                    userData.Render, sp.GetRequiredService<ILogger<NovaCompute>>()));
                services.AddSingleton<ICompute>(sp => sp.GetRequiredService<NovaCompute>());
                services.AddSingleton<IFlavorSource>(sp => sp.GetRequiredService<NovaCompute>());
                services.AddHostedService(sp => new FlavorSync(sp.GetRequiredService<IFlavorSource>(), sp.GetRequiredService<CatalogRepository>(),
                    settings.Compute.Nova.FlavorRefresh, sp.GetRequiredService<ILogger<FlavorSync>>()));
                break;
            default:
                throw new InvalidOperationException(
                    $"Trove:Compute:Driver is '{settings.Compute.Driver}'; it is {ComputeSettings.LocalDriver} or {ComputeSettings.NovaDriver}");
        }
    }

    /// <summary>The admin endpoint and its commands; started after the actor system it inspects.</summary>
    private static void AddTroveAdmin(this IServiceCollection services, AdminSettings admin)
    {
        services.AddSingleton(admin);
        services.AddSingleton<IAdminCommandSet, ClusterCommands>();
        services.AddSingleton<IAdminCommandSet, ShardingCommands>();
        services.AddSingleton<IAdminCommandSet, InstanceAdminCommands>();
        services.AddSingleton<IAdminCommandSet, AmqpCommands>();
        services.AddSingleton<IAdminCommandSet, PoolAdminCommands>();
        services.AddSingleton<AdminCommands>();
        services.AddHostedService<AdminServer>();
    }

    /// <summary>Every message family's manifests.</summary>
    public static ManifestTable Manifests { get; } = new(InstanceManifests.All, TenantManifests.All, BackupManifests.All, ConfigurationManifests.All,
        ShardingManifests.All, PoolManifests.All, ConductorManifests.All);

    /// <summary>The journal and snapshot store, with the serializer and tags the read model needs.</summary>
    public static AkkaConfigurationBuilder WithTroveJournal(this AkkaConfigurationBuilder builder, TroveSettings settings)
    {
        // the plugins read their connection string and provider from HOCON, and open every connection with these options
        var connections = SqlDatabase.OptionsFor(settings.DatabaseProvider, settings.JournalConnection);
        var setup = new MultiDataOptionsSetup();
        foreach (var plugin in new[] { "akka.persistence.journal.sql", "akka.persistence.query.journal.sql", "akka.persistence.snapshot-store.sql" })
            setup.AddDataOptions(plugin, connections);
        return builder
            .AddSetup(setup)
            .AddHocon(SqlDatabase.IsSqliteProvider(settings.DatabaseProvider) ? SqliteJournal : "", HoconAddMode.Prepend)
            .WithCustomSerializer("trove", [typeof(ITroveMessage)], system => new TroveSerializer(system, Manifests))
            .WithSqlPersistence(
                connectionString: settings.JournalConnection,
                providerName: settings.DatabaseProvider,
                autoInitialize: true,
                journalBuilder: journal => journal
                    .AddWriteEventAdapter<InstanceEventTagger>("instance-tagger", [typeof(InstanceEvents.IInstanceEvent)])
                    .AddWriteEventAdapter<BackupEventTagger>("backup-tagger", [typeof(BackupEvents.IBackupEvent)])
                    .AddWriteEventAdapter<QuotaHoldTagger>("quota-hold-tagger", [typeof(QuotaEvents.IHoldEvent)]));
    }

    /// <summary>Microsoft.Data.Sqlite starts any other transaction with BEGIN IMMEDIATE, which takes the write lock:
    /// every recovery and query would queue behind every write. Read-uncommitted is its deferred BEGIN; without shared
    /// cache, SQLite readers still see only committed data. SQLite has one writer at a time: the journal writes its
    /// batches one after the other (the next batch gathers what arrives meanwhile) instead of three writers taking
    /// turns at the file's lock. A recovery's latest snapshot and its events are read in a query each
    /// (<see cref="SqliteSnapshotStore"/>, <see cref="SqliteReplayJournal"/>).</summary>
    private const string SqliteJournal = """
        akka.persistence.journal.sql.class = "Trove.Actors.Sql.SqliteReplayJournal, Trove.Actors"
        akka.persistence.snapshot-store.sql.class = "Trove.Actors.Sql.SqliteSnapshotStore, Trove.Actors"
        akka.persistence.journal.sql.read-isolation-level = read-uncommitted
        akka.persistence.query.journal.sql.read-isolation-level = read-uncommitted
        akka.persistence.snapshot-store.sql.read-isolation-level = read-uncommitted
        akka.persistence.journal.sql.parallelism = 1
        """;

    /// <summary>The kinds of entity whose work goes on after a crash, a handoff or a restart.</summary>
    public static IReadOnlyList<ResumableKind> ResumableKinds(IReadOnlyActorRegistry registry) =>
    [
        new(InstanceRegistration.TypeName, registry.Get<InstanceRegion>(), id => new InstanceCommands.Wake(id)),
        new(BackupRegistration.TypeName, registry.Get<BackupRegion>(), id => new BackupCommands.Wake(id)),
        new(InstanceRegistration.QuotaHoldKind, registry.Get<InstanceRegion>(), id => new InstanceCommands.Wake(id)),
    ];

    /// <summary>JSON logs: Akka's entries go through the host's logger factory, to be JSON lines like the others.</summary>
    private static AkkaConfigurationBuilder WithTroveLogging(this AkkaConfigurationBuilder builder, LoggingSettings logging) =>
        logging.IsJson ? builder.ConfigureLoggers(loggers => loggers.ClearLoggers().AddLoggerFactory()) : builder;

    private static AkkaConfigurationBuilder WithTroveNode(this AkkaConfigurationBuilder builder, TroveSettings settings, IServiceProvider sp)
    {
        builder
            .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "akka.conf"), HoconAddMode.Prepend)
            .AddHocon($"""
                akka.cluster.app-version = "{AppVersion}"
                akka.cluster.split-brain-resolver.stable-after = {settings.DownUnreachableAfter.TotalMilliseconds}ms
                """, HoconAddMode.Prepend)
            .WithTroveJournal(settings)
            .WithTroveLogging(settings.Logging)
            .WithRemoting(settings.AkkaHost, settings.AkkaPort)
            .WithClustering(new ClusterOptions { Roles = settings.Roles.ToArray(), SeedNodes = settings.SeedNodes.ToArray() })
            .WithTenants(settings.HasRole(EntityShards.WorkerRole), settings.Quotas)
            .WithInstances(settings.HasRole(EntityShards.WorkerRole), settings.Instances)
            .WithBackups(settings.HasRole(EntityShards.WorkerRole), settings.Backups);

        var rollout = new ClusterSingletonOptions { Role = EntityShards.WorkerRole };
        if (settings.HasRole(EntityShards.WorkerRole))
            builder.WithSingleton<ConfigurationRollout>("configuration-rollout",
                (_, registry, _) => ConfigurationRollout.Props(sp.GetRequiredService<ConfigurationRepository>(), sp.GetRequiredService<ReadModelDb>(),
                    registry.Get<InstanceRegion>(), settings.ConfigurationRolloutEvery, settings.AskTimeout), rollout);
        else
            builder.WithSingletonProxy<ConfigurationRollout>("configuration-rollout", rollout);

        builder.WithServerPool(settings.HasRole(EntityShards.WorkerRole), settings.Pool, settings.AskTimeout, sp);

        if (settings.SeedNodes.Count == 0)
            builder.AddStartup((system, _) => Cluster.Get(system).Join(Cluster.Get(system).SelfAddress));

        if (settings.HasRole(EntityShards.WorkerRole))
            builder.WithSingleton<InstanceProjectionKey>("instance-projection",
                EntityProjection<InstanceState, InstanceEvents.IInstanceEvent>.Props(sp.GetRequiredService<ReadModelDb>(), InstanceRegistration.Projection, settings.ProjectEvery),
                new ClusterSingletonOptions { Role = EntityShards.WorkerRole })
                .WithSingleton<BackupProjectionKey>("backup-projection",
                    EntityProjection<BackupState, BackupEvents.IBackupEvent>.Props(sp.GetRequiredService<ReadModelDb>(), BackupRegistration.Projection, settings.ProjectEvery),
                    new ClusterSingletonOptions { Role = EntityShards.WorkerRole })
                .WithSingleton<QuotaHoldProjectionKey>("quota-hold-projection",
                    EntityProjection<QuotaHolds, QuotaEvents.IHoldEvent>.Props(sp.GetRequiredService<ReadModelDb>(), InstanceRegistration.QuotaHoldProjection, settings.ProjectEvery),
                    new ClusterSingletonOptions { Role = EntityShards.WorkerRole })
                .WithSingleton<WorkResumer>("work-resumer",
                    (_, registry, _) => WorkResumer.Props(sp.GetRequiredService<ReadModelDb>(), ResumableKinds(registry), settings.ResumeWorkEvery),
                    new ClusterSingletonOptions { Role = EntityShards.WorkerRole }, createProxyToo: false)
                .WithSingleton<Reconciler>("reconciler",
                    (_, registry, _) => Reconciler.Props(sp.GetRequiredService<ReadModelDb>(), sp.GetRequiredService<ICompute>(),
                        sp.GetRequiredService<GuestBrokerUsers>(), sp.GetRequiredService<IGuestRpc>(), registry.Get<InstanceRegion>(),
                        registry.Get<ServerPoolKey>(), settings.Reconcile, settings.AskTimeout),
                    new ClusterSingletonOptions { Role = EntityShards.WorkerRole }, createProxyToo: false);

        builder.WithActors((system, _) => system.ActorOf(UndeliveredReturner.Props(), "undelivered-returner"));

        if (settings.HasRole(EntityShards.WorkerRole) || settings.HasRole("conductor"))
            builder.WithActors((system, registry) => system.ActorOf(OlderReleaseAdopter.Props(sp.GetRequiredService<ICompute>(),
                sp.GetRequiredService<GuestBrokerUsers>(), sp.GetRequiredService<OlderReleaseGuests>(), registry.Get<InstanceRegion>(),
                adopts: settings.HasRole(EntityShards.WorkerRole), settings.Reconcile, settings.AskTimeout), "older-release-adopter"));

        builder.WithActors((system, registry) =>
            registry.Register<ConductorClockKey>(system.ActorOf(ConductorClockActor.Props(sp.GetRequiredService<ConductorClock>()), "conductor-clock")));
        if (settings.HasRole("conductor"))
            builder.WithActors((system, registry) =>
            {
                var conductor = system.ActorOf(ConductorActor.Props(sp.GetRequiredService<AmqpClients>().Connector, settings.Amqp,
                    registry.Get<InstanceRegion>(), registry.Get<BackupRegion>(), sp.GetRequiredService<ReportCheck>(), settings.AskTimeout,
                    registry.Get<ConductorClockKey>()), "conductor");
                registry.Register<ConductorKey>(conductor);
            });
        return builder;
    }
}
