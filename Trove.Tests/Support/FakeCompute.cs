using System.Collections.Concurrent;
using Trove.Actors.Compute;

namespace Trove.Tests.Support;

/// <summary>A compute driver double for actor specs only: servers exist as entries in memory.</summary>
public sealed class FakeCompute : ICompute
{
    public ConcurrentDictionary<string, Server> Servers { get; } = new();
    public ConcurrentQueue<string> Deleted { get; } = new();
    public ConcurrentQueue<ServerSpec> Requested { get; } = new();

    /// <summary>Every creation asked for, including those that failed or waited (<see cref="Requested"/>: those that made a server).</summary>
    public ConcurrentQueue<ServerSpec> RequestedAll { get; } = new();
    public Exception? FailCreate { get; set; }

    /// <summary>Thrown by the next creations, one each, before they succeed (or fail with <see cref="FailCreate"/>).</summary>
    public ConcurrentQueue<Exception> FailNext { get; } = new();

    public int CreateAttempts => _createAttempts;
    private int _createAttempts;

    /// <summary>While set, server creation waits for it: a build caught in the middle.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>A creation that, once started, runs to its end whatever its cancellation says (and reports no step).</summary>
    public bool IgnoresCancel { get; set; }

    /// <summary>Steps reported before each creation's own hold and outcome (then the server, with the instance's id).</summary>
    public IReadOnlyList<ServerStep> StepsBeforeCreate { get; set; } = [];

    /// <summary>The instances whose servers' parts were made ahead (<see cref="ICompute.PrepareAheadAsync"/>).</summary>
    public ConcurrentQueue<string> PreparedAhead { get; } = new();

    /// <summary>What is made ahead is a half-made server named by the instance, as a local server's user is.</summary>
    public Task<string?> PrepareAheadAsync(ServerSpec spec, CancellationToken ct)
    {
        PreparedAhead.Enqueue(spec.InstanceId);
        return Task.FromResult<string?>(spec.InstanceId);
    }

    public async Task<Server> CreateServerAsync(ServerSpec spec, IProgress<ServerStep>? steps, CancellationToken ct)
    {
        RequestedAll.Enqueue(spec);
        foreach (var step in StepsBeforeCreate)
            steps?.Report(step);
        if (Hold is { } hold)
            await (IgnoresCancel ? hold.Task : hold.Task.WaitAsync(ct));
        Interlocked.Increment(ref _createAttempts);
        if (FailNext.TryDequeue(out var once))
            throw once;
        if (FailCreate is not null)
            throw FailCreate;
        Requested.Enqueue(spec);
        return Servers.GetOrAdd(spec.InstanceId, id => new Server(id, ServerStatus.Active, "127.0.0.1", 40000 + Servers.Count));
    }

    public Task<Server?> GetServerAsync(string serverId, CancellationToken ct) =>
        Task.FromResult(Servers.TryGetValue(serverId, out var s) ? s : null);

    public Task DeleteServerAsync(string serverId, CancellationToken ct)
    {
        Servers.TryRemove(serverId, out _);
        Deleted.Enqueue(serverId);
        return Task.CompletedTask;
    }

    public ConcurrentQueue<string> Recovered { get; } = new();

    public Task<IReadOnlyList<HostedServer>> ListServersAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<HostedServer>>(Servers.Values.Select(s => new HostedServer(s.Id, s, OlderReleases.ContainsKey(s.Id))).ToList());

    /// <summary>Servers that look made by an older release until they are adopted.</summary>
    public ConcurrentDictionary<string, bool> OlderReleases { get; } = new();

    public ConcurrentQueue<string> Adopted { get; } = new();

    public async Task AdoptServerAsync(string serverId, Trove.Actors.Guests.GuestCredentials broker, Func<Task> disconnectOldGuest, CancellationToken ct)
    {
        if (!OlderReleases.TryRemove(serverId, out _))
            return;
        await disconnectOldGuest();
        Adopted.Enqueue(serverId);
    }

    public Task RecoverServerAsync(string serverId, CancellationToken ct)
    {
        if (Servers.TryGetValue(serverId, out var s))
            Servers[serverId] = s with { Status = ServerStatus.Active };
        Recovered.Enqueue(serverId);
        return Task.CompletedTask;
    }

    public ConcurrentQueue<string> Rebooted { get; } = new();
    public ConcurrentQueue<(string Server, string? FlavorId, int? VolumeGb)> Resized { get; } = new();

    public Task RebootServerAsync(string serverId, CancellationToken ct)
    {
        Rebooted.Enqueue(serverId);
        return Task.CompletedTask;
    }

    /// <summary>Thrown by server resizes, as a cloud that refuses one.</summary>
    public Exception? FailResize { get; set; }

    public Task ResizeServerAsync(string serverId, string flavorId, CancellationToken ct)
    {
        if (FailResize is not null)
            return Task.FromException(FailResize);
        Resized.Enqueue((serverId, flavorId, null));
        return Task.CompletedTask;
    }

    public Task ResizeVolumeAsync(string serverId, int sizeGb, CancellationToken ct)
    {
        Resized.Enqueue((serverId, null, sizeGb));
        return Task.CompletedTask;
    }
}
