using Trove.Actors.Guests;

namespace Trove.Actors.Compute;

/// <summary>What the instance asks of its server: upstream's Nova flavor and volume, plus the datastore the image runs,
/// and the locations of the backup chain (full backup first) its guest restores from, if any.</summary>
public sealed record ServerSpec(string InstanceId, string Datastore, string DatastoreVersion, int RamMb, int VolumeSize)
{
    public IReadOnlyList<string> RestoreFrom { get; init; } = [];

    /// <summary>The instance whose archived WAL a restore replays (the restored backup's), if any.</summary>
    public string? RestoreWalOf { get; init; }

    /// <summary>The Trove flavor the server is made with (a Nova flavor id when the cloud serves the flavors).</summary>
    public string FlavorId { get; init; } = "";

    /// <summary>The guest's own broker user, which the server's guest connects as; set by provisioning, never journaled.</summary>
    public GuestCredentials? Broker { get; init; }

    /// <summary>The server an earlier attempt's cloud accepted, as the instance journaled it (<see cref="ServerStep"/>).</summary>
    public string? KnownServerId { get; init; }

    /// <summary>The data volume an earlier attempt made, as the instance journaled it.</summary>
    public string? KnownVolumeId { get; init; }

    /// <summary>A server made ahead of time for a pool: its guest starts the engine at once and waits for a prepare.</summary>
    public bool Pooled { get; init; }

    /// <summary>A plain create's server (not a restore, not a replica): its guest starts the engine from the server's data
    /// while it connects, instead of once its prepare has arrived; the prepare finds it running.</summary>
    public bool StartsEngineAtOnce { get; init; }
}

public enum ServerStatus
{
    Build,
    Active,
    Shutdown,
    Error,
}

/// <summary>A server as the compute driver sees it; the database engine listens on <see cref="Address"/>:<see cref="Port"/>.</summary>
public sealed record Server(string Id, ServerStatus Status, string Address, int Port);

/// <summary>A server the driver runs, with the instance it was made for. <paramref name="MadeByOlderRelease"/>: its guest
/// holds the node's broker credentials instead of its own, as guests made before per-guest broker users did.</summary>
public sealed record HostedServer(string InstanceId, Server Server, bool MadeByOlderRelease = false);

/// <summary>The compute driver (upstream's Nova): servers that run a guest agent.</summary>
public interface ICompute
{
    /// <summary>Creates the server and starts its guest; repeating it for the same instance returns the same server.
    /// What the cloud makes on the way is reported to <paramref name="steps"/> as soon as it exists.</summary>
    Task<Server> CreateServerAsync(ServerSpec spec, IProgress<ServerStep>? steps, CancellationToken ct);

    /// <summary>What of the server can be made while its instance is still being journaled (a local server's OS user):
    /// the id of the half-made server it made (which <see cref="ListServersAsync"/> lists and <see cref="DeleteServerAsync"/>
    /// removes), or null. Its caller awaits it, whatever its outcome, before <see cref="CreateServerAsync"/>, which makes
    /// whatever is missing, and deletes what it made if the creation never runs.</summary>
    Task<string?> PrepareAheadAsync(ServerSpec spec, CancellationToken ct) => Task.FromResult<string?>(null);

    /// <summary>The server, or null when it does not exist.</summary>
    Task<Server?> GetServerAsync(string serverId, CancellationToken ct);

    /// <summary>Stops the server and everything on it and removes it; deleting a missing server does nothing.</summary>
    Task DeleteServerAsync(string serverId, CancellationToken ct);

    /// <summary>Every server this driver runs for the control plane, whoever made it.</summary>
    Task<IReadOnlyList<HostedServer>> ListServersAsync(CancellationToken ct);

    /// <summary>Starts the guest of a server whose guest stopped, as a VM's init restarts a service that died.</summary>
    Task RecoverServerAsync(string serverId, CancellationToken ct);

    /// <summary>Gives a server an older release made (<see cref="HostedServer.MadeByOlderRelease"/>) what servers get
    /// now: its guest restarted with its own broker user and walled off as a new server is. Does nothing to others.
    /// <paramref name="disconnectOldGuest"/> runs first, only for a server that still needs it and under the server's
    /// lock (a node that adopts it later must not disconnect the new guest).</summary>
    Task AdoptServerAsync(string serverId, GuestCredentials broker, Func<Task> disconnectOldGuest, CancellationToken ct);

    /// <summary>Reboots the server (its guest and engine restart with it) and returns once it runs again.</summary>
    Task RebootServerAsync(string serverId, CancellationToken ct);

    /// <summary>Gives the server the flavor's memory and CPUs and returns once it runs with them (a cloud resizes and
    /// confirms); the guest then fits its engine to them.</summary>
    Task ResizeServerAsync(string serverId, string flavorId, CancellationToken ct);

    /// <summary>Grows the server's data volume to <paramref name="sizeGb"/> and returns once it has; the guest then grows
    /// its filesystem.</summary>
    Task ResizeVolumeAsync(string serverId, int sizeGb, CancellationToken ct);
}
