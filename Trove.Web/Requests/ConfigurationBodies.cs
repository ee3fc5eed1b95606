using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>POST /configurations</c>: <c>{"configuration": {"name", "description", "datastore": {"type", "version"},
/// "values": {...}}}</c>; each value is checked against its parameter's rule by the endpoint.</summary>
public sealed record CreateConfigurationBody(CreateConfigurationBody.ConfigurationFields? Configuration) : IRequestBody<CreateConfigurationBody>
{
    public sealed record ConfigurationFields(
        string? Name,
        [property: JsonConverter(typeof(RequestText.Long))] string? Description,
        CreateInstanceBody.DatastoreBody? Datastore,
        Dictionary<string, ParameterValue>? Values);

    public static JsonTypeInfo<CreateConfigurationBody> JsonInfo => RequestJson.Default.CreateConfigurationBody;

    public void Validate()
    {
        var configuration = Configuration ?? throw RequestError.Invalid("the body must be an object with a 'configuration' object.");
        DisplayName.Check(configuration.Name);
        if (configuration.Values is null)
            throw RequestError.Invalid("'values' must be an object.");
    }
}

/// <summary><c>PUT</c> (all values) and <c>PATCH</c> (the values named) <c>/configurations/{id}</c>: <c>{"configuration": {"values": {...}}}</c>.</summary>
public sealed record ChangeConfigurationBody(ChangeConfigurationBody.ConfigurationValues? Configuration) : IRequestBody<ChangeConfigurationBody>
{
    public sealed record ConfigurationValues(Dictionary<string, ParameterValue>? Values);

    public static JsonTypeInfo<ChangeConfigurationBody> JsonInfo => RequestJson.Default.ChangeConfigurationBody;

    public void Validate()
    {
        var configuration = Configuration ?? throw RequestError.Invalid("the body must be an object with a 'configuration' object.");
        if (configuration.Values is null)
            throw RequestError.Invalid("'values' must be an object.");
    }
}
