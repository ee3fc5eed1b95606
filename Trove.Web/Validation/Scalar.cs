using System.Text.Json;
using System.Text.Json.Serialization;

namespace Trove.Web.Validation;

/// <summary>A string or a number, as upstream accepts for references and sizes (<c>"flavorRef": 2</c> or <c>"2"</c>),
/// kept as its text.</summary>
[JsonConverter(typeof(Converter))]
public readonly record struct Scalar(string Text)
{
    public override string ToString() => Text;

    public sealed class Converter : JsonConverter<Scalar>
    {
        public override Scalar Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => new Scalar(RequestText.Limited(reader.GetString()!, JsonBody.TextLength)),
            JsonTokenType.Number => new Scalar(RequestText.Limited(System.Text.Encoding.UTF8.GetString(reader.ValueSpan), JsonBody.TextLength)),
            _ => throw new RequestText.Refused("must be a string or a number."),
        };

        public override void Write(Utf8JsonWriter writer, Scalar value, JsonSerializerOptions options) => writer.WriteStringValue(value.Text);
    }
}
