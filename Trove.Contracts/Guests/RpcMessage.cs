using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Trove.Contracts;

namespace Trove.Contracts.Guests;

/// <summary>The body of every guest and conductor message: <c>{"method", "args", "version"}</c>, as the seed describes.
/// Calls carry their correlation id and reply queue in the AMQP properties.</summary>
public sealed record RpcMessage(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("args")] JsonObject Args,
    [property: JsonPropertyName("version")] string Version = "1.0")
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = ContractsJson.Resolver(RpcJsonContext.Default),
    };

    public static RpcMessage Create<TArgs>(string method, TArgs args) =>
        new(method, JsonSerializer.SerializeToNode(args, Json.Info<TArgs>())!.AsObject());

    public T ArgsAs<T>() => Args.Deserialize(Json.Info<T>()) ?? throw new JsonException($"'{Method}' has no args");

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json.Info<RpcMessage>());

    public static RpcMessage Parse(ReadOnlyMemory<byte> body) =>
        JsonSerializer.Deserialize(body.Span, Json.Info<RpcMessage>()) is { Method: not null, Args: not null } m
            ? m
            : throw new JsonException("a message needs 'method' and 'args'");

    /// <summary>The method a message's body names, read without parsing the rest of it.</summary>
    public static string MethodOf(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("a message is a JSON object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMethod = reader.ValueTextEquals("method"u8);
            reader.Read();
            if (isMethod)
                return reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException("'method' is not a string");
            reader.Skip();
        }
        throw new JsonException("a message needs 'method' and 'args'");
    }

    /// <summary>A message's args read from its body straight into <typeparamref name="TArgs"/>: one pass, where
    /// <see cref="Parse"/> and <see cref="ArgsAs{T}"/> make a <see cref="JsonObject"/> first and then read it again.</summary>
    public static TArgs ArgsOf<TArgs>(ReadOnlySpan<byte> body) =>
        JsonSerializer.Deserialize(body, Json.Info<WithArgs<TArgs>>()) is { Args: { } args }
            ? args
            : throw new JsonException("a message needs 'method' and 'args'");

    private sealed record WithArgs<TArgs>([property: JsonPropertyName("args")] TArgs? Args);
}

/// <summary>The reply to a call: a result, or a failure message with its kind (<see cref="RpcFailureKinds"/>).</summary>
public sealed record RpcReply(
    [property: JsonPropertyName("result")] JsonNode? Result,
    [property: JsonPropertyName("failure")] string? Failure,
    [property: JsonPropertyName("failure_kind")] string? FailureKind = null)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, RpcMessage.Json.Info<RpcReply>());
    public static RpcReply Parse(ReadOnlyMemory<byte> body) =>
        JsonSerializer.Deserialize(body.Span, RpcMessage.Json.Info<RpcReply>()) ?? new RpcReply(null, "empty reply");
}

public static class RpcFailureKinds
{
    public const string NotFound = "not_found";
    public const string Invalid = "invalid";
    public const string Error = "error";
}

public sealed class RpcException(string message, string kind = RpcFailureKinds.Error) : Exception(message)
{
    public string Kind { get; } = kind;
}
