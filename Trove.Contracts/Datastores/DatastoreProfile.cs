using Trove.Contracts.Guests;

namespace Trove.Contracts.Datastores;

/// <summary>
/// Everything that differs between datastores and that the API, the catalog and the guest all need to agree on: the
/// name (the catalog's datastore type and the guest's manager), the names it takes, its own accounts, and its
/// capabilities. The one place to look instead of a <c>switch</c> on the datastore's name.
/// </summary>
public sealed record DatastoreProfile(string Name, string DisplayName, DatastoreNames Names, ReservedUsers ReservedUsers, DatastoreCapabilities Capabilities)
{
    /// <summary>The engine's standard port, where tools connect to it on a server of its own.</summary>
    public required int Port { get; init; }

    public bool Supports(DatastoreCapability capability) => capability switch
    {
        DatastoreCapability.Backups => Capabilities.Backups,
        DatastoreCapability.IncrementalBackups => Capabilities.IncrementalBackups,
        DatastoreCapability.ReadOnlyMode => Capabilities.ReadOnlyMode,
        DatastoreCapability.Replication => Capabilities.Replication,
        DatastoreCapability.Promotion => Capabilities.Promotion,
        DatastoreCapability.PointInTimeRecovery => Capabilities.PointInTimeRecovery,
        _ => false,
    };

    /// <summary>Why this datastore refuses <paramref name="capability"/>, as the API says it; null when it supports it.</summary>
    public string? Lacks(DatastoreCapability capability) => Supports(capability) ? null : capability switch
    {
        DatastoreCapability.Backups => $"Backups of {Name} are not supported.",
        DatastoreCapability.IncrementalBackups => $"Incremental backups are not supported for {Name}; take a full backup.",
        DatastoreCapability.ReadOnlyMode => $"{DisplayName} cannot be switched to read-only.",
        DatastoreCapability.Replication => $"Replication is not supported for the '{Name}' datastore.",
        DatastoreCapability.Promotion => $"Promotion is not supported for the '{Name}' datastore.",
        DatastoreCapability.PointInTimeRecovery => $"Point-in-time recovery (restore_time) is not supported for the '{Name}' datastore.",
        _ => $"{DisplayName} does not support {capability}.",
    };

    /// <summary>Why this datastore refuses <paramref name="name"/> as a database to create or act on; null when it takes it.</summary>
    public string? RefusesDatabase(string name) =>
        !Names.IsValidDatabase(name) ? Names.Invalid("database", name, Names.MaxDatabaseLength)
        : Names.IsReservedDatabase(name) ? $"Database name '{name}' is reserved."
        : null;

    /// <summary>Why this datastore refuses <paramref name="name"/> as a user to create or rename to; null when it takes it.</summary>
    public string? RefusesUser(string name) =>
        RefusesExistingUser(name) ?? (Names.IsValidUser(name) ? null : Names.Invalid("user", name, Names.MaxUserLength));

    /// <summary>Why a request may not act on the existing user <paramref name="name"/> (update, delete, grant, revoke):
    /// it is one of the datastore's own; null otherwise.</summary>
    public string? RefusesExistingUser(string name) => ReservedUsers.Contains(name) ? ReservedUsers.Message(name) : null;

    public override string ToString() => Name;
}
