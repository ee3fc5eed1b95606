using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>
/// Calls to an OpenStack cloud as one Keystone v3 user with a project-scoped token: each service's endpoint comes
/// from the token's catalog (by service type, region and interface). The token is replaced before it expires, and
/// once more when a service answers 401 (a token revoked meanwhile). Each call has a timeout; a 5xx, a lost
/// connection or a timeout is tried again with backoff and, if it persists, thrown as a transient failure
/// (<see cref="HttpRequestException"/> or <see cref="TimeoutException"/>); a 4xx throws <see cref="CloudFault"/> with
/// the cloud's message. A POST is sent again only when it never reached the service (see SendWithRetriesAsync).
/// </summary>
public sealed class KeystoneSession(OpenStackSettings settings, ILogger? log = null, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each call has its own (settings.CallTimeout)
    };
    private readonly ILogger _log = log ?? NullLogger.Instance;
    private readonly SemaphoreSlim _authenticating = new(1, 1);
    private volatile KeystoneToken? _token;

    public OpenStackSettings Settings => settings;

    /// <summary>The current token, replaced first if it is about to expire.</summary>
    public async Task<string> TokenAsync(CancellationToken ct) => (await CurrentAsync(ct)).AuthToken;

    /// <summary>The project the token is scoped to.</summary>
    public async Task<string> ProjectIdAsync(CancellationToken ct) => (await CurrentAsync(ct)).ProjectId;

    /// <summary>The catalog's endpoint for the service type (e.g. <c>compute</c>, <c>volumev3</c>, <c>object-store</c>).</summary>
    public async Task<Uri> EndpointAsync(string serviceType, CancellationToken ct) =>
        (await CurrentAsync(ct)).EndpointOf(serviceType, settings.Region, settings.Interface);

    /// <summary>Sends the request <paramref name="request"/> makes from the service's endpoint (called again for each
    /// attempt) with the token, and returns the successful response; see the class for what fails how.</summary>
    public async Task<HttpResponseMessage> SendAsync(string serviceType, Func<Uri, HttpRequestMessage> request, CancellationToken ct)
    {
        for (var renewed = false; ; renewed = true)
        {
            var token = await CurrentAsync(ct);
            var endpoint = token.EndpointOf(serviceType, settings.Region, settings.Interface);
            var response = await SendWithRetriesAsync(() =>
            {
                var message = request(endpoint);
                message.Headers.Add("X-Auth-Token", token.AuthToken);
                return message;
            }, ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized && !renewed)
            {
                _log.LogInformation("{Service} refused the token (401); authenticating again", serviceType);
                Interlocked.CompareExchange(ref _token, null, token);
                response.Dispose();
                continue;
            }
            if (response.IsSuccessStatusCode)
                return response;
            using (response)
                throw await CloudFault.FromAsync(response, ct);
        }
    }

    /// <summary>A JSON body with its length: uwsgi, which serves several OpenStack APIs, reads no chunked body.</summary>
    public static HttpContent Json(JsonNode body) => new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");

    /// <summary>The path under an endpoint (a catalog URL may or may not end in '/').</summary>
    public static Uri Under(Uri endpoint, string path) => new($"{endpoint.AbsoluteUri.TrimEnd('/')}/{path.TrimStart('/')}");

    private async Task<KeystoneToken> CurrentAsync(CancellationToken ct)
    {
        if (_token is { } token && token.FreshAt(DateTimeOffset.UtcNow, settings.RefreshBefore))
            return token;
        await _authenticating.WaitAsync(ct);
        try
        {
            if (_token is { } other && other.FreshAt(DateTimeOffset.UtcNow, settings.RefreshBefore))
                return other;
            return _token = await AuthenticateAsync(ct);
        }
        finally
        {
            _authenticating.Release();
        }
    }

    private async Task<KeystoneToken> AuthenticateAsync(CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["auth"] = new JsonObject
            {
                ["identity"] = new JsonObject
                {
                    ["methods"] = new JsonArray("password"),
                    ["password"] = new JsonObject
                    {
                        ["user"] = new JsonObject
                        {
                            ["name"] = settings.Username,
                            ["domain"] = new JsonObject { ["name"] = settings.UserDomain },
                            ["password"] = settings.Password,
                        },
                    },
                },
                ["scope"] = new JsonObject
                {
                    ["project"] = new JsonObject
                    {
                        ["name"] = settings.ProjectName,
                        ["domain"] = new JsonObject { ["name"] = settings.ProjectDomain },
                    },
                },
            },
        };
        var url = Under(new Uri(settings.AuthUrl), "auth/tokens");
        using var response = await SendWithRetriesAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = Json(body) }, ct, idempotent: true);
        if (!response.IsSuccessStatusCode)
            throw await CloudFault.FromAsync(response, ct);
        var value = response.Headers.TryGetValues("X-Subject-Token", out var values) ? values.First() : throw new CloudFault(
            (int)response.StatusCode, $"Keystone at {settings.AuthUrl} issued no X-Subject-Token");
        var token = KeystoneToken.Parse(value, JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!);
        _log.LogInformation("authenticated to {AuthUrl} as {User} in project {Project}, token valid until {Expires}",
            settings.AuthUrl, settings.Username, settings.ProjectName, token.ExpiresAt);
        return token;
    }

    /// <summary>The response (a success or a 4xx), or after the retries the last 5xx or connection failure as a
    /// transient exception. A POST (which may make something) is sent again only when it never reached the service
    /// (<paramref name="idempotent"/> says otherwise for Keystone's): after a timeout or a 5xx it may have been done,
    /// and the caller looks before it asks again.</summary>
    private async Task<HttpResponseMessage> SendWithRetriesAsync(Func<HttpRequestMessage> request, CancellationToken ct, bool idempotent = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            Exception failure;
            var message = request();
            var retriable = idempotent || message.Method != HttpMethod.Post;
            try
            {
                var response = await SendOnceAsync(message, ct);
                if ((int)response.StatusCode < 500)
                    return response;
                using (response)
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    failure = new HttpRequestException($"{(int)response.StatusCode} {CloudFault.MessageOf(body) ?? response.ReasonPhrase}",
                        null, response.StatusCode);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException)
            {
                failure = e;
            }
            if (attempt >= settings.Retries || !(retriable || failure is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }))
                throw failure;
            var wait = settings.BackoffFor(attempt);
            _log.LogWarning("OpenStack call failed ({Failure}); trying again in {Wait} ({Attempt}/{Retries})",
                failure.Message, wait, attempt + 1, settings.Retries);
            await Task.Delay(wait, ct);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.CallTimeout);
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"{request.Method} {request.RequestUri} took longer than {settings.CallTimeout}");
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _authenticating.Dispose();
    }
}
