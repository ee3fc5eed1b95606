using Trove.Actors.Serialization;

namespace Trove.Actors.Instances;

/// <summary>The configuration groups the instance entity attaches: their rows live in SQL beside the catalog, and the
/// entity reads them itself, so that attaching or detaching one is a single ask of the entity (implemented by the
/// configurations folder; an interface here so that the instance does not depend on it).</summary>
public interface IConfigurationGroups
{
    /// <summary>The tenant's group as an instance applies it, or null when the tenant has no such group.</summary>
    Task<ConfigurationGroup?> FindAsync(string tenantId, string configurationId, CancellationToken ct = default);
}

/// <summary>A configuration group as an instance applies it: the engine's overrides, whether one of them needs a restart,
/// and its revision (its update time).</summary>
public sealed record ConfigurationGroup(string Id, string Datastore, string DatastoreVersion, IReadOnlyDictionary<string, string> Overrides,
    bool RestartRequired, long Revision);

/// <summary>
/// A configuration change (attach or detach) journaled by the instance entity before its guest is told: the change it
/// asked for (<see cref="Requested"/>), ended by <see cref="InstanceEvents.ConfigurationAttached"/> or
/// <see cref="InstanceEvents.ConfigurationDetached"/> once the guest applied it, or <see cref="Abandoned"/> when the guest
/// refused. A change the node stopped in the middle of is applied again (the guest's overrides are written whole) when
/// the entity starts. Not instance events: the read model never sees them.
/// </summary>
public static class ConfigurationEvents
{
    public interface IConfigurationEvent : ITroveMessage
    {
        DateTimeOffset At { get; }
    }

    /// <summary><paramref name="ConfigurationId"/> null: a detach (empty <paramref name="Overrides"/>).</summary>
    public sealed record Requested(string? ConfigurationId, IReadOnlyDictionary<string, string> Overrides, bool RestartRequired, long? Revision,
        DateTimeOffset At, string? User = null) : IConfigurationEvent
    {
        /// <summary>The instance event that says it was applied, for whoever asked.</summary>
        public InstanceEvents.IInstanceEvent Applied(DateTimeOffset at) => ConfigurationId is { } id
            ? new InstanceEvents.ConfigurationAttached(id, RestartRequired, at, Revision, User)
            : new InstanceEvents.ConfigurationDetached(RestartRequired, at, User);
    }

    public sealed record Abandoned(string Reason, DateTimeOffset At) : IConfigurationEvent;

    /// <summary>The change under way, if any: what a <see cref="Requested"/> opened and nothing closed yet.</summary>
    public static Requested? Apply(Requested? open, ITroveMessage e) => e switch
    {
        Requested r => r,
        Abandoned or InstanceEvents.ConfigurationAttached or InstanceEvents.ConfigurationDetached => null,
        _ => open,
    };
}
