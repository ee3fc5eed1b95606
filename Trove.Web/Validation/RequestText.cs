using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trove.Web.Validation;

/// <summary>Every string of a request record: a JSON string (not a number or a list) of at most
/// <see cref="JsonBody.TextLength"/> characters, unless its property takes <see cref="Long"/> text.</summary>
public class RequestText(int maxLength) : JsonConverter<string>
{
    public RequestText() : this(JsonBody.TextLength) { }

    /// <summary>Descriptions, as the tables keep them.</summary>
    public sealed class Long() : RequestText(JsonBody.DescriptionLength);

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? Limited(reader.GetString()!, maxLength)
            : throw new Refused("must be a string.");

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    /// <summary>Keys of a map (e.g. the resources of a quota change) are capped as names are.</summary>
    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Limited(reader.GetString()!, JsonBody.TextLength);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);

    public static string Limited(string text, int maxLength) =>
        text.Length <= maxLength ? text : throw new Refused($"must be at most {maxLength} characters.");

    /// <summary>A value this API refuses, with a message that completes "'field' ...".</summary>
    public sealed class Refused(string message) : JsonException(message);
}
