using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Contracts;
using Trove.Contracts.Guests;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>POST /instances</c>: <c>{"instance": {...}}</c>; what it asks for is checked against the catalog by
/// <see cref="CreateInstanceParser"/>.</summary>
public sealed record CreateInstanceBody(CreateInstanceBody.InstanceFields? Instance) : IRequestBody<CreateInstanceBody>
{
    public sealed record InstanceFields(
        string? Name,
        Scalar? FlavorRef,
        VolumeBody? Volume,
        DatastoreBody? Datastore,
        List<DatabaseBody?>? Databases,
        List<UserBody?>? Users,
        RestorePointBody? RestorePoint,
        JsonElement? Configuration,
        [property: JsonPropertyName("replica_of")] JsonElement? ReplicaOf,
        [property: JsonPropertyName("slave_of")] JsonElement? SlaveOf,
        AccessBody? Access = null,
        [property: JsonPropertyName("replica_count")] JsonElement? ReplicaCount = null,
        JsonElement? Locality = null);

    public sealed record VolumeBody(Scalar? Size);

    public sealed record DatastoreBody(string? Type, string? Version);

    /// <summary>A restore: the backup, and, for a datastore with point-in-time recovery, the time to recover to (beyond
    /// upstream, which has none); without it a PostgreSQL restore recovers to the latest point its WAL archive has.</summary>
    public sealed record RestorePointBody(
        string? BackupRef,
        [property: JsonPropertyName("restore_time"), Description("Point-in-time recovery (PostgreSQL): an ISO 8601 time (UTC, or with " +
            "an offset), not before the backup completed and not in the future; the backup is restored and its instance's archived WAL " +
            "replayed up to it. Without it, the WAL is replayed to the end of the archive.")] string? RestoreTime = null);

    public static JsonTypeInfo<CreateInstanceBody> JsonInfo => RequestJson.Default.CreateInstanceBody;

    public void Validate()
    {
        if (Instance is null)
            throw RequestError.Invalid("the body must be an object with a 'instance' object.");
    }
}

/// <summary>A database to create: on an instance's create, or <c>POST /instances/{id}/databases</c>.</summary>
public sealed record DatabaseBody(string? Name, [property: JsonPropertyName("character_set")] string? CharacterSet, string? Collate)
{
    /// <summary>The databases of a body; the instance's datastore checks their names.</summary>
    public static List<DatabaseSpec> Specs(IReadOnlyList<DatabaseBody?>? items)
    {
        var databases = new List<DatabaseSpec>();
        foreach (var item in items ?? [])
        {
            var name = item?.Name ?? throw RequestError.Invalid("each of 'databases' must be an object with a 'name'.");
            if (databases.Any(d => d.Name == name))
                throw new RequestError(400, $"Database '{name}' is listed more than once.");
            databases.Add(new DatabaseSpec(name, item.CharacterSet, item.Collate));
        }
        return databases;
    }
}

/// <summary>A user to create, with the databases it is granted.</summary>
public sealed record UserBody(string? Name, string? Password, string? Host, List<UserBody.Grant?>? Databases)
{
    public sealed record Grant(string? Name);

    /// <summary>The users of a body; when <paramref name="knownDatabases"/> is given, grants must name one of them. The
    /// instance's datastore checks their names.</summary>
    public static List<UserSpec> Specs(IReadOnlyList<UserBody?>? items, IReadOnlyList<string>? knownDatabases)
    {
        var users = new List<UserSpec>();
        foreach (var item in items ?? [])
        {
            var name = item?.Name ?? throw RequestError.Invalid("each of 'users' must be an object with a 'name' and a 'password'.");
            Passwords.Check(name, item.Password);
            if (users.Any(u => u.Name == name && u.Host == item.Host))
                throw new RequestError(400, $"User '{name}' is listed more than once.");
            var grants = new List<UserDatabase>();
            foreach (var grant in item.Databases ?? [])
            {
                var dbName = grant?.Name ?? throw RequestError.Invalid($"the databases of user '{name}' must be objects with a 'name'.");
                if (knownDatabases is not null && !knownDatabases.Contains(dbName))
                    throw new RequestError(400, $"User '{name}' is granted database '{dbName}', which is not among the databases to create.");
                grants.Add(new UserDatabase(dbName));
            }
            users.Add(new UserSpec(name, item.Password!, item.Host, grants));
        }
        return users;
    }

    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

/// <summary><c>PUT</c> (and upstream's deprecated <c>PATCH</c>) <c>/instances/{id}</c>: <c>{"instance": {"name": ...}}</c>, or
/// <c>{"instance": {"configuration": "id"}}</c> to attach a group (null or "" detaches it), or upstream's detach-replica,
/// <c>{"instance": {"replica_of": null}}</c> (or <c>slave_of</c>).</summary>
public sealed record UpdateInstanceBody(UpdateInstanceBody.InstanceChange? Instance) : IRequestBody<UpdateInstanceBody>
{
    /// <summary>What upstream's instance update also changes, and this API not yet.</summary>
    public static readonly IReadOnlyList<string> Unsupported = ["datastore_version", "detach_replica"];

    /// <summary><see cref="Configuration"/> is kept as given: absent (undefined), null, or a string.</summary>
    public sealed record InstanceChange
    {
        public string? Name { get; init; }

        public JsonElement Configuration { get; init; }

        public AccessBody? Access { get; init; }

        [JsonPropertyName("replica_of")]
        public JsonElement ReplicaOf { get; init; }

        [JsonPropertyName("slave_of")]
        public JsonElement SlaveOf { get; init; }

        /// <summary>upstream's detach-replica: the key given (upstream's client sends null).</summary>
        [JsonIgnore]
        public bool DetachesReplica => ReplicaOf.ValueKind != JsonValueKind.Undefined || SlaveOf.ValueKind != JsonValueKind.Undefined;

        /// <summary>Every other key of the object, to name what cannot be changed.</summary>
        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Others { get; set; }

        [JsonIgnore]
        public bool ChangesConfiguration => Configuration.ValueKind != JsonValueKind.Undefined;

        /// <summary>The group to attach, or null to detach.</summary>
        [JsonIgnore]
        public string? ConfigurationId => Configuration.ValueKind == JsonValueKind.String ? Configuration.GetString() : null;

        /// <summary>The first key that is upstream's but not changed here yet.</summary>
        [JsonIgnore]
        public string? UnsupportedChange => Others?.Keys.FirstOrDefault(Unsupported.Contains);
    }

    public static JsonTypeInfo<UpdateInstanceBody> JsonInfo => RequestJson.Default.UpdateInstanceBody;

    public void Validate()
    {
        var instance = Instance ?? throw RequestError.Invalid("the body must be an object with a 'instance' object.");
        if (instance.Others?.Keys.FirstOrDefault(k => !Unsupported.Contains(k)) is { } other)
            throw RequestError.Invalid($"'{other}' is not an attribute of an instance that can be changed.");
        if (instance.UnsupportedChange is not null)
            return; // answered 501 once the instance is known
        if (instance.DetachesReplica)
        {
            if (instance.ReplicaOf.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                || instance.SlaveOf.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                throw RequestError.Invalid("'replica_of' can only be removed (null): a replica is detached from its source.");
            if (instance.Name is not null || instance.ChangesConfiguration || instance.Access is not null)
                throw RequestError.Invalid("'replica_of' is changed on its own.");
            return;
        }
        if (instance.Access is { } access)
        {
            access.Parse();
            if (instance.Name is not null || instance.ChangesConfiguration)
                throw RequestError.Invalid("'access' is changed on its own.");
            return;
        }
        if (instance.ChangesConfiguration)
        {
            if (instance.Configuration.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                throw RequestError.Invalid("'configuration' must be a string.");
            if (instance.ConfigurationId is { Length: > JsonBody.TextLength })
                throw RequestError.Invalid($"'configuration' must be at most {JsonBody.TextLength} characters.");
            if (instance.Name is not null)
                throw RequestError.Invalid("'configuration' is changed on its own.");
            return;
        }
        DisplayName.Check(instance.Name);
    }
}

/// <summary><c>POST /instances/{id}/action</c> with exactly one action, as upstream: <c>{"restart": {}}</c>,
/// <c>{"reset_status": {}}</c> (admins), <c>{"resize": {"volume": {"size": 2}}}</c> or <c>{"resize": {"flavorRef": "medium"}}</c>,
/// <c>{"promote_to_replica_source": {}}</c> (of a replica), <c>{"eject_replica_source": {}}</c> (of a source whose guest is gone).</summary>
public sealed record InstanceActionBody : IRequestBody<InstanceActionBody>
{
    public JsonElement Restart { get; init; }

    [JsonPropertyName("reset_status")]
    public JsonElement ResetStatus { get; init; }

    public ResizeBody? Resize { get; init; }

    [JsonPropertyName("promote_to_replica_source")]
    public JsonElement PromoteToReplicaSource { get; init; }

    [JsonPropertyName("eject_replica_source")]
    public JsonElement EjectReplicaSource { get; init; }

    public sealed record ResizeBody(CreateInstanceBody.VolumeBody? Volume, Scalar? FlavorRef)
    {
        /// <summary>The new volume size, when the resize grows the volume.</summary>
        [JsonIgnore]
        public int? VolumeSize => Volume?.Size is { } size ? int.Parse(size.Text) : null;
    }

    /// <summary>Every other key: an action this API does not know.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Others { get; set; }

    public static JsonTypeInfo<InstanceActionBody> JsonInfo => RequestJson.Default.InstanceActionBody;

    public void Validate()
    {
        if (Others?.Keys.FirstOrDefault() is { } other)
            throw RequestError.Invalid($"'{other}' is not an instance action.");
        var given = new[] { Restart, ResetStatus, PromoteToReplicaSource, EjectReplicaSource }.Count(a => a.ValueKind != JsonValueKind.Undefined)
                    + (Resize is not null ? 1 : 0);
        if (given != 1)
            throw RequestError.Invalid("the body must be an object with exactly one action.");
        if (Resize is null)
            return;
        if ((Resize.Volume is null) == (Resize.FlavorRef is null))
            throw RequestError.Invalid("'resize' must hold exactly one of 'volume' (with a 'size') and 'flavorRef'.");
        if (Resize.Volume is { } volume && (volume.Size is not { } size || !int.TryParse(size.Text, out var gb) || gb < 1))
            throw new RequestError(400, "The new volume size must be a whole number of GB.");
    }
}
