using System.Text.Json.Nodes;

namespace Trove.Web.Auth;

/// <summary>Turns an X-Auth-Token into its caller, or null when it is not valid.</summary>
public interface ITokenValidator
{
    Task<Caller?> ValidateAsync(string token, CancellationToken ct);
}

/// <summary>The identity service could not be asked (down, timed out, answered 5xx): not the caller's fault.</summary>
public sealed class IdentityUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Checks a built-in token once (base64, HMAC, JSON: ~2 KB of garbage each time) and trusts it until it
/// expires: it comes with every request of its caller.</summary>
public sealed class BuiltinTokenValidator(TokenSigner signer, TimeProvider clock) : ITokenValidator
{
    private readonly CallerCache _checked = new(clock);

    public Task<Caller?> ValidateAsync(string token, CancellationToken ct)
    {
        if (_checked.TryGet(token, out var known))
            return known;
        var caller = signer.Verify(token, clock.GetUtcNow());
        return _checked.Remember(token, caller, caller?.ExpiresAt ?? default);
    }
}

/// <summary>Asks Keystone v3 (<c>GET /auth/tokens</c> with X-Subject-Token), as keystonemiddleware does, and trusts an
/// answer briefly. The token validates itself, which Keystone's default policy allows its subject to do.</summary>
public sealed class KeystoneTokenValidator(HttpClient http, AuthSettings settings, TimeProvider clock) : ITokenValidator
{
    private readonly CallerCache _answered = new(clock);

    public async Task<Caller?> ValidateAsync(string token, CancellationToken ct)
    {
        if (_answered.TryGet(token, out var known))
            return await known;
        var caller = await AskKeystoneAsync(token, ct);
        var now = clock.GetUtcNow();
        if (caller is null || caller.ExpiresAt <= now)
            return await _answered.Remember(token, null, default);
        var until = now + settings.KeystoneCacheFor < caller.ExpiresAt ? now + settings.KeystoneCacheFor : caller.ExpiresAt;
        return await _answered.Remember(token, caller, until);
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
