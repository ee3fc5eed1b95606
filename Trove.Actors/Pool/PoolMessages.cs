using Trove.Actors.Compute;
using Trove.Actors.Instances;
using Trove.Actors.Serialization;

namespace Trove.Actors.Pool;

/// <summary>A datastore version, as a create names it (the catalog's datastore type and version name).</summary>
public sealed record PoolKey(string Datastore, string Version)
{
    public override string ToString() => $"{Datastore}-{Version}";
}

/// <summary>A pool's server as a claim hands it over: its id becomes the instance's.</summary>
public sealed record PoolServer(string Id, string ServerId, string Address, int Port)
{
    public Server AsServer() => new(ServerId, ServerStatus.Active, Address, Port);
}

public static class PoolCommands
{
    /// <summary>A create, through the pool: it takes a ready server of its version when there is one (journaled first; the
    /// create then has the server's id and the server), and goes on to its instance, which answers it.</summary>
    public sealed record CreateInstance(InstanceCommands.Create Create) : ITroveMessage;

    /// <summary>Admin: every server of the pool.</summary>
    public sealed record List : ITroveMessage;

    /// <summary>Admin: removes a server of the pool (not one claimed: it is its instance's).</summary>
    public sealed record Remove(string Id) : ITroveMessage;
}

public static class PoolReplies
{
    public sealed record Listed(IReadOnlyList<PoolMember> Members) : ITroveMessage;
    public sealed record Removed(string Id) : ITroveMessage;
    public sealed record NotRemoved(string Message) : ITroveMessage;
}

public static class PoolEvents
{
    public interface IPoolEvent : ITroveMessage
    {
        string Id { get; }
        DateTimeOffset At { get; }
    }

    /// <summary>A server is to be made under this id (journaled first: a crash mid-way resumes or removes it).</summary>
    public sealed record ServerRequested(string Id, string Datastore, string Version, DateTimeOffset At) : IPoolEvent;
    /// <summary>Made, its guest connected and its engine started.</summary>
    public sealed record ServerReady(string Id, string ServerId, string Address, int Port, DateTimeOffset At) : IPoolEvent;
    /// <summary>Given to a create; the member stays until its instance is seen to exist (or not).</summary>
    public sealed record ServerClaimed(string Id, DateTimeOffset At) : IPoolEvent;
    /// <summary>Its instance exists: the server is the instance's now, and leaves the pool.</summary>
    public sealed record ClaimSettled(string Id, DateTimeOffset At) : IPoolEvent;
    /// <summary>Discarded: its build failed, its claim was lost, or an admin removed it. Its server is deleted.</summary>
    public sealed record ServerRemoved(string Id, string Reason, DateTimeOffset At) : IPoolEvent;
}
