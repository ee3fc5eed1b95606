using System.Text.Json.Nodes;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>JSON calls to one service of the catalog at one microversion, and the polling its asynchronous
/// operations need.</summary>
internal sealed class OpenStackCalls(KeystoneSession cloud, string serviceType, string microversionHeader, string microversion)
{
    /// <summary>The answer's JSON body; null for an empty one (202, 204).</summary>
    public async Task<JsonNode?> CallAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var response = await cloud.SendAsync(serviceType, endpoint =>
        {
            var request = new HttpRequestMessage(method, KeystoneSession.Under(endpoint, path));
            request.Headers.Add(microversionHeader, microversion);
            if (body is not null)
                request.Content = KeystoneSession.Json(body);
            return request;
        }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>The answer, or null when the service answers 404.</summary>
    public async Task<JsonNode?> GetOrNullAsync(string path, CancellationToken ct)
    {
        try
        {
            return await CallAsync(HttpMethod.Get, path, null, ct);
        }
        catch (CloudFault fault) when (fault.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>Asks <paramref name="look"/> until it returns a result, waiting <paramref name="interval"/> and then
    /// longer (up to four times that) in between; past <paramref name="timeout"/> a TimeoutException naming
    /// <paramref name="what"/> and the last state seen.</summary>
    public static async Task<T> PollAsync<T>(Func<CancellationToken, Task<(T? Result, string State)>> look, string what, TimeSpan interval,
        TimeSpan timeout, CancellationToken ct) where T : class
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var wait = interval;
        for (;;)
        {
            var (result, state) = await look(ct);
            if (result is not null)
                return result;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"{what} did not happen within {timeout} (last seen: {state})");
            await Task.Delay(wait, ct);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 3 / 2, interval.Ticks * 4));
        }
    }
}
