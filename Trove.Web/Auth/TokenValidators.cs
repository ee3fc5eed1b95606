using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Trove.Web.Auth;

/// <summary>Turns an X-Auth-Token into its caller, or null when it is not valid.</summary>
public interface ITokenValidator
{
    Task<Caller?> ValidateAsync(string token, CancellationToken ct);
}

public sealed class BuiltinTokenValidator(TokenSigner signer, TimeProvider clock) : ITokenValidator
{
    public Task<Caller?> ValidateAsync(string token, CancellationToken ct) => Task.FromResult(signer.Verify(token, clock.GetUtcNow()));
}

/// <summary>Asks Keystone v3 (<c>GET /auth/tokens</c> with X-Subject-Token), as keystonemiddleware does, and trusts an
/// answer briefly.</summary>
public sealed class KeystoneTokenValidator(HttpClient http, AuthSettings settings, TimeProvider clock) : ITokenValidator
{
    private readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Until)> _cache = new();

    public async Task<Caller?> ValidateAsync(string token, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(token, out var cached) && cached.Until > now)
            return cached.Caller;

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{settings.KeystoneUrl!.TrimEnd('/')}/auth/tokens");
        request.Headers.Add("X-Auth-Token", token);
        request.Headers.Add("X-Subject-Token", token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            _cache.TryRemove(token, out _);
            return null;
        }
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))?["token"];
        if (body?["project"] is not JsonObject project || body["user"] is not JsonObject user)
            return null;
        var caller = new Caller(
            (string)user["id"]!, (string)user["name"]!, (string)project["id"]!, (string)project["name"]!,
            body["roles"]?.AsArray().Select(r => (string)r!["name"]!).ToList() ?? [],
            DateTimeOffset.Parse((string)body["expires_at"]!), DateTimeOffset.Parse((string?)body["issued_at"] ?? (string)body["expires_at"]!),
            body["audit_ids"]?[0]?.GetValue<string>() ?? "");
        var until = now + settings.KeystoneCacheFor < caller.ExpiresAt ? now + settings.KeystoneCacheFor : caller.ExpiresAt;
        _cache[token] = (caller, until);
        return caller;
    }
}
