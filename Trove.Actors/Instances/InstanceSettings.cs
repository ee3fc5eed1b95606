namespace Trove.Actors.Instances;

public sealed record InstanceSettings
{
    /// <summary>A build that has not reached ACTIVE by then ends in ERROR (upstream's usage_timeout).</summary>
    public TimeSpan BuildTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>No heartbeat for this long turns operating_status to ERROR (upstream's agent_heartbeat_expiry).</summary>
    public TimeSpan HeartbeatExpiry { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a delete waits for the guest to stop its engine before the server is removed anyway.</summary>
    public TimeSpan StopDbTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait before a failed step of a delete is tried again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>An entity with nothing to do is passivated after this long.</summary>
    public TimeSpan PassivateAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a guest has to answer a call on databases, users or root.</summary>
    public TimeSpan GuestCallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a guest has to restart its engine.</summary>
    public TimeSpan RestartTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the tenant's entity has to answer a reservation or a release (a create retries a release until it is heard).</summary>
    public TimeSpan QuotaTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a build tries again to create its server after a transient error of the compute driver
    /// (<see cref="Trove.Actors.Compute.ComputeFailures.IsTransient"/>) before it fails with the last one.</summary>
    public int ServerCreateRetries { get; init; } = 3;

    /// <summary>The wait before the first retry of a server's creation; each next one waits twice as long.</summary>
    public TimeSpan ServerCreateBackoff { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a restore's backup (its entity, walking its chain) has to answer the instance's create.</summary>
    public TimeSpan BackupLookupTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public int SnapshotEvery { get; init; } = 50;
}
