using System.Text.Json;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>The cloud refused a request (a 4xx) or reported a failure of its own (a server in ERROR): the message is
/// the cloud's own. Trying the same again would fail the same way, so it is never transient (see ComputeFailures).</summary>
public sealed class CloudFault(int statusCode, string message) : Exception(message)
{
    /// <summary>The HTTP status of the refusal; 0 when the cloud accepted the request and then failed it.</summary>
    public int StatusCode { get; } = statusCode;

    public bool IsNotFound => StatusCode == 404;

    /// <summary>The fault a refusal carries: OpenStack services answer <c>{"someFault": {"code": N, "message": "..."}}</c>
    /// (Keystone: <c>{"error": {...}}</c>, Neutron: <c>{"NeutronError": {...}}</c>); anything else is shown as sent.</summary>
    public static async Task<CloudFault> FromAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        return new CloudFault((int)response.StatusCode, MessageOf(body) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}: {body.Trim()}");
    }

    internal static string? MessageOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            foreach (var fault in json.RootElement.EnumerateObject())
                if (fault.Value.ValueKind == JsonValueKind.Object && fault.Value.TryGetProperty("message", out var message)
                    && message.ValueKind == JsonValueKind.String)
                    return message.GetString();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
