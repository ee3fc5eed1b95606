using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Contracts;
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
        [property: JsonPropertyName("slave_of")] JsonElement? SlaveOf);

    public sealed record VolumeBody(Scalar? Size);

    public sealed record DatastoreBody(string? Type, string? Version);

    public sealed record RestorePointBody(string? BackupRef);

    public static JsonTypeInfo<CreateInstanceBody> JsonInfo => RequestJson.Default.CreateInstanceBody;

    public void Validate()
    {
        if (Instance is null)
            throw RequestError.Invalid("the body must be an object with a 'instance' object.");
    }
}

/// <summary>A database to create: on an instance's create, or <c>POST /instances/{id}/databases</c>.</summary>
public sealed record DatabaseBody(string? Name, [property: JsonPropertyName("character_set")] string? CharacterSet, string? Collate);

/// <summary>A user to create, with the databases it is granted.</summary>
public sealed record UserBody(string? Name, string? Password, string? Host, List<UserBody.Grant?>? Databases)
{
    public sealed record Grant(string? Name);

    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}
