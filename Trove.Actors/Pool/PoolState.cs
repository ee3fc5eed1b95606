using Trove.Actors.Serialization;
using static Trove.Actors.Pool.PoolEvents;

namespace Trove.Actors.Pool;

public enum PoolMemberStatus
{
    Building,
    Ready,
    Claimed,
}

/// <summary>One server of the pool. <see cref="Since"/>: when it got its status.</summary>
public sealed record PoolMember(string Id, PoolKey Key, PoolMemberStatus Status, DateTimeOffset Since, string? ServerId = null,
    string? Address = null, int Port = 0)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public PoolServer Server => new(Id, ServerId ?? Id, Address ?? "", Port);
}

/// <summary>The pool's servers; a settled or removed one is gone from it.</summary>
public sealed record PoolState(IReadOnlyList<PoolMember> Members) : ITroveMessage
{
    public static readonly PoolState Empty = new([]);

    public PoolMember? Find(string id) => Members.FirstOrDefault(m => m.Id == id);

    public static PoolState Apply(PoolState state, IPoolEvent e) => e switch
    {
        ServerRequested r => state with { Members = [.. state.Members, new PoolMember(r.Id, new PoolKey(r.Datastore, r.Version), PoolMemberStatus.Building, r.At)] },
        ServerReady r => state.With(r.Id, m => m with { Status = PoolMemberStatus.Ready, Since = r.At, ServerId = r.ServerId, Address = r.Address, Port = r.Port }),
        ServerClaimed c => state.With(c.Id, m => m with { Status = PoolMemberStatus.Claimed, Since = c.At }),
        ClaimSettled or ServerRemoved => state with { Members = state.Members.Where(m => m.Id != e.Id).ToList() },
        _ => state,
    };

    private PoolState With(string id, Func<PoolMember, PoolMember> change) =>
        this with { Members = Members.Select(m => m.Id == id ? change(m) : m).ToList() };
}

/// <summary>The pool's rules, pure: what to make, what a claim takes, which claims and builds are overdue.</summary>
public static class PoolDecisions
{
    /// <summary>New servers to make so that each version has its size of servers ready or on their way; claimed ones do not
    /// count. No more than <paramref name="buildsAtOnce"/> are on their way at once: a burst of claims refills in turn, and
    /// its creates keep the machine's or the cloud's capacity.</summary>
    public static IReadOnlyList<ServerRequested> Refill(PoolState state, IEnumerable<(PoolKey Key, int Size)> sizes, Func<string> newId, DateTimeOffset now,
        int buildsAtOnce = int.MaxValue) =>
        sizes.SelectMany(s => Enumerable.Range(0, Math.Max(0, s.Size - state.Members.Count(m => m.Key == s.Key && m.Status != PoolMemberStatus.Claimed)))
                .Select(_ => s.Key))
            .Take(Math.Max(0, buildsAtOnce - state.Members.Count(m => m.Status == PoolMemberStatus.Building)))
            .Select(key => new ServerRequested(newId(), key.Datastore, key.Version, now)).ToList();

    /// <summary>The longest ready server of the version, or null: a server is claimed once only.</summary>
    public static ServerClaimed? Claim(PoolState state, PoolKey key, DateTimeOffset now) =>
        ReadyOf(state, key).OrderBy(m => m.Since).FirstOrDefault() is { } ready ? new ServerClaimed(ready.Id, now) : null;

    public static bool HasReady(PoolState state, PoolKey key) => ReadyOf(state, key).Any();

    private static IEnumerable<PoolMember> ReadyOf(PoolState state, PoolKey key) =>
        state.Members.Where(m => m.Key == key && m.Status == PoolMemberStatus.Ready);

    /// <summary>Claims old enough that their instance must exist by now.</summary>
    public static IReadOnlyList<PoolMember> ClaimsDue(PoolState state, DateTimeOffset now, TimeSpan claimTimeout) =>
        state.Members.Where(m => m.Status == PoolMemberStatus.Claimed && now - m.Since >= claimTimeout).ToList();

    /// <summary>A claim's outcome once its instance was looked at: settled if it exists (even deleted since: its delete
    /// removes the server), else removed, never given to another create.</summary>
    public static IPoolEvent ClaimOutcome(string id, bool instanceExists, DateTimeOffset now) =>
        instanceExists ? new ClaimSettled(id, now) : new ServerRemoved(id, "its claim did not become an instance", now);

    /// <summary>An admin's removal: any server not claimed.</summary>
    public static (ServerRemoved? Removed, string? Refusal) Remove(PoolState state, string id, DateTimeOffset now) => state.Find(id) switch
    {
        null => (null, $"no pool server {id}"),
        { Status: PoolMemberStatus.Claimed } => (null, $"pool server {id} is claimed by instance {id}: delete the instance"),
        _ => (new ServerRemoved(id, "removed by an admin", now), null),
    };
}
