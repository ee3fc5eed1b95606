using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Trove.Web.Validation;

/// <summary>A configuration parameter's value as the body gave it (a string, a number, true or false; the parameter's
/// rule decides which it takes), its text capped at what a parameter rule takes.</summary>
[JsonConverter(typeof(Converter))]
public readonly record struct ParameterValue(JsonElement Element)
{
    public JsonNode? ToNode() => JsonNode.Parse(Element.GetRawText());

    public sealed class Converter : JsonConverter<ParameterValue>
    {
        public override ParameterValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
                RequestText.Limited(reader.GetString()!, JsonBody.DescriptionLength); // as a parameter rule takes text
            return new ParameterValue(JsonElement.ParseValue(ref reader));
        }

        public override void Write(Utf8JsonWriter writer, ParameterValue value, JsonSerializerOptions options) => value.Element.WriteTo(writer);
    }
}
