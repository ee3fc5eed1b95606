using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>POST /mgmt/datastore-versions</c>: <c>{"version": {"name", "datastore_manager", ...}}</c>.</summary>
public sealed record NewDatastoreVersionBody(NewDatastoreVersionBody.VersionFields? Version) : IRequestBody<NewDatastoreVersionBody>
{
    /// <summary>Configuration groups keep the version's name in 64 characters.</summary>
    public const int MaxName = 64;

    public sealed record VersionFields(
        string? Name,
        [property: JsonPropertyName("datastore_manager")] string? DatastoreManager,
        [property: JsonPropertyName("datastore_name")] string? DatastoreName,
        bool? Active,
        bool? Default);

    public static JsonTypeInfo<NewDatastoreVersionBody> JsonInfo => RequestJson.Default.NewDatastoreVersionBody;

    public void Validate()
    {
        var version = Version ?? throw RequestError.Invalid("the body must be an object with a 'version' object.");
        if (version.Name is null)
            throw RequestError.Invalid("'name' is required.");
        if (version.Name.Trim().Length == 0 || version.Name.Length > MaxName)
            throw RequestError.Invalid($"'name' must be 1 to {MaxName} characters.");
        if (version.DatastoreManager is null)
            throw RequestError.Invalid("'datastore_manager' is required.");
    }
}

/// <summary><c>PATCH /mgmt/datastore-versions/{id}</c>: <c>{"active": true|false}</c>.</summary>
public sealed record DatastoreVersionChangeBody(bool? Active) : IRequestBody<DatastoreVersionChangeBody>
{
    public static JsonTypeInfo<DatastoreVersionChangeBody> JsonInfo => RequestJson.Default.DatastoreVersionChangeBody;

    public void Validate()
    {
        if (Active is null)
            throw RequestError.Invalid("'active' (true or false) is the attribute that can be changed here.");
    }
}
