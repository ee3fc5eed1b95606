using System.Diagnostics;
using System.Diagnostics.Metrics;
using Trove.Amqp;

namespace Trove.Actors.Telemetry;

/// <summary>
/// The control plane's meters, one per concern, all made here; <see cref="MeterNames"/> is what the node exports.
/// Gauges read <see cref="Last"/>, which NodeGauges polls; histograms are recorded where the thing they time ends.
/// </summary>
public static class TroveMetrics
{
    public const string EntitiesMeterName = "Trove.Entities";
    public const string InstancesMeterName = "Trove.Instances";
    public const string BackupsMeterName = "Trove.Backups";
    public const string JournalMeterName = "Trove.Journal";
    public const string ConductorMeterName = "Trove.Conductor";
    public const string StreamsMeterName = "Trove.Streams";

    public static IReadOnlyList<string> MeterNames { get; } =
        [EntitiesMeterName, InstancesMeterName, BackupsMeterName, JournalMeterName, ConductorMeterName, StreamsMeterName, AmqpMetrics.MeterName];

    private static readonly Meter Entities = new(EntitiesMeterName);
    private static readonly Meter Instances = new(InstancesMeterName);
    private static readonly Meter Backups = new(BackupsMeterName);
    private static readonly Meter Journal = new(JournalMeterName);
    private static readonly Meter Conductor = new(ConductorMeterName);
    private static readonly Meter Streams = new(StreamsMeterName);

    /// <summary>Seconds, from milliseconds (a journal write) to an hour (a large backup).</summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    };

    /// <summary>From the persist call to its callback (the journal confirmed the write), by entity <c>type</c>.</summary>
    public static readonly Histogram<double> PersistDuration = Journal.CreateHistogram("trove.journal.persist.duration", "s",
        "time from an entity's persist to the journal's confirmation", advice: Seconds);

    /// <summary>From the create to ACTIVE or ERROR, by <c>outcome</c>.</summary>
    public static readonly Histogram<double> BuildDuration = Instances.CreateHistogram("trove.instance.build.duration", "s",
        "time from an instance's create until its build completed or failed", advice: Seconds);

    /// <summary>From the create to COMPLETED or FAILED, by <c>outcome</c>.</summary>
    public static readonly Histogram<double> BackupDuration = Backups.CreateHistogram("trove.backup.duration", "s",
        "time from a backup's create until it completed or failed", advice: Seconds);

    /// <summary>How old a guest's heartbeat is when the conductor takes it (its <c>sent</c> to now).</summary>
    public static readonly Histogram<double> HeartbeatAge = Conductor.CreateHistogram("trove.heartbeat.age", "s",
        "age of a guest's heartbeat when the conductor takes it", advice: Seconds);

    /// <summary>The live event streams open on this node.</summary>
    public static readonly UpDownCounter<long> StreamsOpen = Streams.CreateUpDownCounter<long>("trove.event_streams.open", "{stream}",
        "live event streams open on this node");

    /// <summary>The node's readers of the journal for its live streams: one while any stream is open, however many.</summary>
    public static readonly UpDownCounter<long> StreamReaders = Streams.CreateUpDownCounter<long>("trove.event_streams.journal_readers", "{reader}",
        "readers of the journal feeding this node's live event streams");

    public sealed record Readings(IReadOnlyDictionary<string, long> EntitiesByType, IReadOnlyDictionary<string, long> ShardsByType,
        IReadOnlyDictionary<string, long> RegionsByMode, IReadOnlyDictionary<string, long> InstancesByStatus);

    /// <summary>The gauges' last readings (NodeGauges, in Hosting, polls them: it knows the entities, this file knows none).</summary>
    public static Readings Last { get; set; } = new(new Dictionary<string, long>(), new Dictionary<string, long>(),
        new Dictionary<string, long>(), new Dictionary<string, long>());

    static TroveMetrics()
    {
        Entities.CreateObservableGauge("trove.entities.active", () => Tagged(Last.EntitiesByType, "type"), "{entity}",
            "entities running in this node's shard regions, by type");
        Entities.CreateObservableGauge("trove.shards.active", () => Tagged(Last.ShardsByType, "type"), "{shard}",
            "shards hosted by this node's shard regions, by type");
        Entities.CreateObservableGauge("trove.shard_regions", () => Tagged(Last.RegionsByMode, "mode"), "{region}",
            "this node's shard regions (hosting) and proxies, by mode");
        Instances.CreateObservableGauge("trove.instances", () => Tagged(Last.InstancesByStatus, "status"), "{instance}",
            "live instances of every tenant by status, from the read model (reported by the cluster's leader)");
    }

    /// <summary>Makes sure the gauges exist (the static constructor ran) before a listener looks.</summary>
    public static void Register() { }

    /// <summary>Records the seconds since <paramref name="started"/> (a <see cref="Stopwatch.GetTimestamp"/>) of a persist.</summary>
    public static void Persisted(long started, string entityType) =>
        PersistDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("type", entityType));

    public static void Outcome(Histogram<double> histogram, TimeSpan took, string outcome) =>
        histogram.Record(Math.Max(0, took.TotalSeconds), new KeyValuePair<string, object?>("outcome", outcome));

    private static IEnumerable<Measurement<long>> Tagged(IReadOnlyDictionary<string, long> values, string tag) =>
        values.Select(v => new Measurement<long>(v.Value, new KeyValuePair<string, object?>(tag, v.Key)));
}
