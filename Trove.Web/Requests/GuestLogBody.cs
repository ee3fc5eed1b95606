using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Trove.Web.Validation;

namespace Trove.Web.Requests;

/// <summary><c>POST /instances/{id}/log</c>, as troveclient sends it: <c>{"name": "general", "enable": 1, "publish": 1}</c>;
/// a flag is true, 1 or upstream's true text. No flag only shows the log.</summary>
public sealed record GuestLogBody(string? Name, JsonElement Enable, JsonElement Disable, JsonElement Publish, JsonElement Discard)
    : IRequestBody<GuestLogBody>
{
    public static JsonTypeInfo<GuestLogBody> JsonInfo => RequestJson.Default.GuestLogBody;

    [JsonIgnore] public bool Enabling => IsSet(Enable);
    [JsonIgnore] public bool Disabling => IsSet(Disable);
    [JsonIgnore] public bool Publishing => IsSet(Publish);
    [JsonIgnore] public bool Discarding => IsSet(Discard);

    public void Validate()
    {
        if (string.IsNullOrEmpty(Name))
            throw RequestError.Invalid("'name' (the log's) is required.");
        if (Enabling && Disabling)
            throw new RequestError(400, "Cannot enable and disable log.");
    }

    private static bool IsSet(JsonElement flag) => flag.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.Number => flag.GetDouble() != 0,
        JsonValueKind.String => Flag.IsTrue(flag.GetString()),
        _ => false,
    };
}
