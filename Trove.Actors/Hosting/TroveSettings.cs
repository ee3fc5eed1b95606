using Trove.Actors.Pool;
using Trove.Actors.Broker;
using System.Text;
using Trove.Actors.Admin;
using Trove.Actors.Backups;
using Trove.Actors.Catalog;
using Trove.Actors.Compute.OpenStack;
using Trove.Actors.Instances;
using Trove.Actors.Tenants;
using Trove.Contracts;
using Trove.Actors.Reconciling;

namespace Trove.Actors.Hosting;

/// <summary>Everything a node is configured with; the defaults run one node on one machine.</summary>
public sealed record TroveSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    public string DataDir { get; init; } = ".trove";
    public int HttpPort { get; init; } = 8779;
    public string HttpHost { get; init; } = "127.0.0.1";

    /// <summary>Node roles: <c>api</c>, <c>worker</c>, <c>conductor</c>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = ["api", "worker", "conductor"];

    public string AkkaHost { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port; with no seed nodes the node joins itself.</summary>
    public int AkkaPort { get; init; }
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>Journal, snapshots and read model; SQLite files in the data dir unless given.</summary>
    public string DatabaseProvider { get; init; } = "SQLite.MS";
    public string? JournalConnectionString { get; init; }
    public string? ReadModelConnectionString { get; init; }

    public double GuestHeartbeatIntervalSeconds { get; init; } = 3;

    public LoggingSettings Logging { get; init; } = new();
    public TelemetrySettings Telemetry { get; init; } = new();

    /// <summary>The loopback range local servers take their own addresses from (see LocalComputeSettings.AddressRange).</summary>
    public string LocalServerAddresses { get; init; } = "127.42.0.0/16";
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long showing an instance waits for its entity before answering from the read model (which trails
    /// by a moment) instead: while a crashed node's shards move, a tenant still sees the instance.</summary>
    public TimeSpan ShowFallbackAfter { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the work resumer wakes the entities the read model shows busy: at most this long after a
    /// crash, a handoff or a restart, a build, a resize or a backup carries on.</summary>
    public TimeSpan ResumeWorkEvery { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the read model's projections read the journal's new events. Each entity writes its own row as it
    /// answers; the projections only make up for a write that failed, and keep the quota holds the work resumer reads.</summary>
    public TimeSpan ProjectEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a page of a list is served from memory; this node's projection drops it sooner when the
    /// tenant's rows change. Zero reads the read model on every request.</summary>
    public TimeSpan ListCacheFor { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long an event stream may be silent before it sends a comment line, so that proxies and clients keep it open.</summary>
    public TimeSpan EventStreamKeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests a tenant may send per HTTP verb per minute to one API node (upstream: 200); 0 turns the limit off.</summary>
    public int RateLimitPerMinute { get; init; } = 200;

    /// <summary>How often every configuration group is compared with the instances attached to it, so that a change
    /// stored before a crash still reaches each of them.</summary>
    public TimeSpan ConfigurationRolloutEvery { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a member must stay unreachable, with the partition stable, before the split-brain resolver
    /// downs it (and its shards move).</summary>
    public TimeSpan DownUnreachableAfter { get; init; } = TimeSpan.FromSeconds(15);

    public BrokerSettings Amqp { get; init; } = new();
    public AdminSettings Admin { get; init; } = new();
    public ReconcileSettings Reconcile { get; init; } = new();
    public InstanceSettings Instances { get; init; } = new();
    public BackupSettings Backups { get; init; } = new();
    public CatalogSettings Catalog { get; init; } = new();
    public PoolSettings Pool { get; init; } = new();

    /// <summary>The OpenStack cloud the control plane uses as its own (service) user: Nova servers (<c>Compute:Driver = nova</c>),
    /// Swift for backups (<c>Backups:Storage = swift</c>).</summary>
    public OpenStackSettings OpenStack { get; init; } = new();

    /// <summary>The compute driver: <c>local</c> (servers on this machine) or <c>nova</c> (servers on <see cref="OpenStack"/>).</summary>
    public ComputeSettings Compute { get; init; } = new();

    /// <summary>Each tenant's limits unless an admin set others (upstream's max_*_per_tenant).</summary>
    public QuotaLimits Quotas { get; init; } = new(Instances: 10, Volumes: 40, Backups: 50);

    public string FullDataDir => Path.GetFullPath(DataDir);
    /// <summary>Where LocalCompute keeps servers and backups; nodes of one machine's cluster share them, so that any
    /// node taking over a shard finds the servers another node made.</summary>
    public string? ServersDirectory { get; init; }
    public string? BackupsDirectory { get; init; }

    public string ServersDir => Path.GetFullPath(ServersDirectory ?? Path.Combine(FullDataDir, "servers"));
    public string BackupsDir => Path.GetFullPath(BackupsDirectory ?? Path.Combine(FullDataDir, "backups"));
    public bool HasRole(string role) => Roles.Contains(role);

    public string JournalConnection => JournalConnectionString ?? $"Data Source={Path.Combine(FullDataDir, "akka.db")}";
    public string ReadModelConnection => ReadModelConnectionString ?? $"Data Source={Path.Combine(FullDataDir, "readmodel.db")}";
}
