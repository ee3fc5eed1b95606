using Trove.Actors.Compute;
using Trove.Actors.Instances;

namespace Trove.Actors.Reconciling;

/// <summary>What the reconciler may do to make what runs match what the journal holds.</summary>
public abstract record Repair(string InstanceId);

/// <summary>A server no instance owns (a delete during a build, a crash between two steps of a delete).</summary>
public sealed record RemoveServer(string InstanceId, string ServerId) : Repair(InstanceId);

/// <summary>A live instance's server whose guest stopped (killed, crashed): started again, as a VM's init would.</summary>
public sealed record RestartGuest(string InstanceId, string ServerId) : Repair(InstanceId);

/// <summary>A live instance's server made by an older release, whose guest still holds the node's broker user: it is
/// given its own (see <see cref="ICompute.AdoptServerAsync"/>), by the <see cref="OlderReleaseAdopter"/>.</summary>
public sealed record AdoptServer(string InstanceId, string ServerId) : Repair(InstanceId);

/// <summary>A guest broker user (and its queue) that no instance owns.</summary>
public sealed record RemoveBrokerUser(string InstanceId) : Repair(InstanceId);

/// <summary>What one sweep saw: the instances the read model shows live, the servers the driver runs, the instances
/// that have a broker user.</summary>
public sealed record Observed(IReadOnlySet<string> LiveInstances, IReadOnlyList<HostedServer> Servers, IReadOnlyList<string> BrokerUsers);

/// <summary>Pure decisions of the reconciler. A repair is due only when what calls for it has been seen on sweeps
/// spanning its grace: the read model follows the journal a little late, and a build starts its guest a little after
/// it made the server. The entity itself has the last word (<see cref="Confirmed"/>).</summary>
public static class ReconcileDecisions
{
    /// <summary>This sweep's suspects (each with when it was first seen) and the repairs now due.</summary>
    public static (IReadOnlyDictionary<Repair, DateTimeOffset> Suspects, IReadOnlyList<Repair> Due) Sweep(
        Observed seen, IReadOnlyDictionary<Repair, DateTimeOffset> suspects, DateTimeOffset now, TimeSpan orphanGrace, TimeSpan restartGrace)
    {
        var current = new List<Repair>();
        foreach (var (instanceId, server, madeByOlderRelease) in seen.Servers)
        {
            if (!seen.LiveInstances.Contains(instanceId))
                current.Add(new RemoveServer(instanceId, server.Id));
            else if (server.Status == ServerStatus.Shutdown && !madeByOlderRelease)
                current.Add(new RestartGuest(instanceId, server.Id));
        }
        current.AddRange(seen.BrokerUsers.Where(id => !seen.LiveInstances.Contains(id)).Select(id => new RemoveBrokerUser(id)));

        var next = current.Distinct().ToDictionary(r => r, r => suspects.TryGetValue(r, out var since) ? since : now);
        var due = next.Where(p => now - p.Value >= (p.Key is RestartGuest ? restartGrace : orphanGrace)).Select(p => p.Key).ToList();
        return (next, due);
    }

    /// <summary>Whether the instance's entity, as it recovered from the journal, agrees the repair is right.</summary>
    public static bool Confirmed(Repair repair, InstanceState? instance) => repair switch
    {
        RemoveServer or RemoveBrokerUser => instance is null || instance.IsDeleted,
        // A build's guest too, once the build stored its server: a guest killed mid-prepare takes the prepare again (it
        // is acknowledged only when done); the server's lock keeps this from starting a second guest beside the build's.
        RestartGuest restart => instance is { IsDeleted: false, Task: not InstanceTask.Deleting } && instance.ServerId == restart.ServerId,
        // Adopting restarts the guest: never under a resize, restart or backup that waits for it. A build may: its prepare
        // stays queued until the adopted guest has done it, and only the adopted guest's reports end it on this release.
        AdoptServer adopt => instance is { IsDeleted: false, Task: InstanceTask.None or InstanceTask.RestartRequired or InstanceTask.Building,
                RunningBackupId: null }
            && instance.ServerId == adopt.ServerId,
        _ => false,
    };
}
