using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>POST /mgmt/instances/{id}/action</c> with exactly one of upstream's actions: <c>{"stop": {}}</c>,
/// <c>{"reboot": {}}</c>, <c>{"reset-task-status": {}}</c> or <c>{"migrate": {"host": ...}}</c>.</summary>
public sealed record MgmtInstanceActionBody : IRequestBody<MgmtInstanceActionBody>
{
    public JsonElement Stop { get; init; }
    public JsonElement Reboot { get; init; }
    public JsonElement Migrate { get; init; }

    [JsonPropertyName("reset-task-status")]
    public JsonElement ResetTaskStatus { get; init; }

    /// <summary>Every other key: an action this API does not know (upstream's "Invalid instance action").</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Others { get; set; }

    public static JsonTypeInfo<MgmtInstanceActionBody> JsonInfo => RequestJson.Default.MgmtInstanceActionBody;

    public void Validate()
    {
        if (Others?.Keys.FirstOrDefault() is { } other)
            throw RequestError.Invalid($"Invalid instance action: {other}");
        var given = new[] { Stop, Reboot, Migrate, ResetTaskStatus }.Count(a => a.ValueKind != JsonValueKind.Undefined);
        if (given == 0)
            throw RequestError.Invalid("Invalid request body.");
        if (given > 1)
            throw RequestError.Invalid("Only one action can be specified per request.");
    }
}

/// <summary><c>POST</c> and <c>PUT /mgmt/datastores/versions/{id}/parameters[/{name}]</c>, as troveclient sends them:
/// <c>{"configuration-parameter": {"name", "restart_required": 0|1, "data_type", "max_size", "min_size"}}</c>.</summary>
public sealed record ConfigurationParameterBody(
    [property: JsonPropertyName("configuration-parameter")] ConfigurationParameterBody.Fields? Parameter) : IRequestBody<ConfigurationParameterBody>
{
    public static readonly string[] DataTypes = ["boolean", "float", "integer", "string"];

    public sealed record Fields(
        string? Name,
        [property: JsonPropertyName("restart_required")] JsonElement RestartRequired,
        [property: JsonPropertyName("data_type")] string? DataType,
        [property: JsonPropertyName("max_size")] Scalar? MaxSize,
        [property: JsonPropertyName("min_size")] Scalar? MinSize)
    {
        /// <summary>Upstream's boolean_string: true/false, 0/1, or their text.</summary>
        [JsonIgnore]
        public bool IsRestartRequired => RestartRequired.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.Number => RestartRequired.GetDouble() != 0,
            JsonValueKind.String => Flag.IsTrue(RestartRequired.GetString()),
            _ => false,
        };

        [JsonIgnore]
        public double? Max => Number(MaxSize);

        [JsonIgnore]
        public double? Min => Number(MinSize);

        private static double? Number(Scalar? size) => size is { } s ? double.Parse(s.Text, CultureInfo.InvariantCulture) : null;
    }

    public static JsonTypeInfo<ConfigurationParameterBody> JsonInfo => RequestJson.Default.ConfigurationParameterBody;

    public void Validate()
    {
        if (Parameter is not { } p)
            throw RequestError.Invalid("'configuration-parameter' is required.");
        if (p.RestartRequired.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Object or JsonValueKind.Array)
            throw RequestError.Invalid("'restart_required' (true or false) is required.");
        if (p.DataType is not { } type || !DataTypes.Contains(type))
            throw RequestError.Invalid($"'data_type' must be one of {string.Join(", ", DataTypes)}.");
        foreach (var (name, size) in new[] { ("max_size", p.MaxSize), ("min_size", p.MinSize) })
            if (size is { } s && !double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                throw RequestError.Invalid($"'{name}' must be a number.");
        if (type == "integer" && (p.MaxSize is null || p.MinSize is null))
            throw RequestError.Invalid($"{(p.MaxSize is null ? "max_size" : "min_size")} is required for integer data type.");
        if (p.Max < p.Min)
            throw RequestError.Invalid("max_size must be greater than or equal to min_size.");
    }
}
