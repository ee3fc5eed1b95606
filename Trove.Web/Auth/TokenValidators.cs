using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Trove.Web.Auth;

/// <summary>Turns an X-Auth-Token into its caller, or null when it is not valid.</summary>
public interface ITokenValidator
{
    Task<Caller?> ValidateAsync(string token, CancellationToken ct);
}

/// <summary>The identity service could not be asked (down, timed out, answered 5xx): not the caller's fault.</summary>
public sealed class IdentityUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class BuiltinTokenValidator(TokenSigner signer, TimeProvider clock) : ITokenValidator
{
    public Task<Caller?> ValidateAsync(string token, CancellationToken ct) => Task.FromResult(signer.Verify(token, clock.GetUtcNow()));
}

/// <summary>Asks Keystone v3 (<c>GET /auth/tokens</c> with X-Subject-Token), as keystonemiddleware does, and trusts an
/// answer briefly. The token validates itself, which Keystone's default policy allows its subject to do.</summary>
public sealed class KeystoneTokenValidator(HttpClient http, AuthSettings settings, TimeProvider clock) : ITokenValidator
{
    private const int CacheLimit = 10_000;
    private readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Until)> _cache = new();

    public async Task<Caller?> ValidateAsync(string token, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(token, out var cached) && cached.Until > now)
            return cached.Caller;

        var caller = await AskKeystoneAsync(token, ct);
        if (caller is null || caller.ExpiresAt <= now)
        {
            _cache.TryRemove(token, out _);
            return null;
        }
        if (_cache.Count >= CacheLimit)
            foreach (var (key, entry) in _cache)
                if (entry.Until <= now)
                    _cache.TryRemove(key, out _);
        var until = now + settings.KeystoneCacheFor < caller.ExpiresAt ? now + settings.KeystoneCacheFor : caller.ExpiresAt;
        if (_cache.Count < CacheLimit)
            _cache[token] = (caller, until);
        return caller;
    }

    private async Task<Caller?> AskKeystoneAsync(string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{settings.KeystoneUrl!.TrimEnd('/')}/auth/tokens");
        request.Headers.Add("X-Auth-Token", token);
        request.Headers.Add("X-Subject-Token", token);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new IdentityUnavailableException($"{settings.KeystoneUrl} did not answer: {e.Message}", e);
        }
        using (response)
        {
            if ((int)response.StatusCode >= 500)
                throw new IdentityUnavailableException($"{settings.KeystoneUrl} answered {(int)response.StatusCode}");
            if (!response.IsSuccessStatusCode)
                return null;
            return ParseToken(JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))?["token"]);
        }
    }

    /// <summary>A project-scoped token's caller; null for unscoped or domain-scoped tokens, which reach no tenant.</summary>
    private static Caller? ParseToken(JsonNode? token)
    {
        if (token?["project"] is not JsonObject project || token["user"] is not JsonObject user || token["expires_at"] is null)
            return null;
        var expires = DateTimeOffset.Parse((string)token["expires_at"]!);
        return new Caller(
            (string)user["id"]!, (string?)user["name"] ?? (string)user["id"]!, (string)project["id"]!, (string?)project["name"] ?? (string)project["id"]!,
            token["roles"]?.AsArray().Select(r => (string)r!["name"]!).ToList() ?? [],
            expires, (string?)token["issued_at"] is { } issued ? DateTimeOffset.Parse(issued) : expires,
            (string?)token["audit_ids"]?[0] ?? "");
    }
}
