using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trove.Web.Validation;

/// <summary>Upstream's "boolean_string" flags (a backup's <c>incremental</c>): the integer 0 or 1, which troveclient sends,
/// or true/false.</summary>
public sealed class RequestFlag : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Number when reader.TryGetInt32(out var n) && n is 0 or 1 => n == 1,
        _ => throw new RequestText.Refused("must be 0, 1, true or false."),
    };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}
