using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Trove.Actors.Files;

namespace Trove.Web.Auth;

/// <summary>
/// Built-in tokens are self-contained and signed (HMAC-SHA256), so that any node with the key can check them
/// without shared state, and they survive a node restart.
/// </summary>
public sealed class TokenSigner(byte[] key)
{
    public static TokenSigner FromSettings(AuthSettings settings, string dataDir)
    {
        if (settings.TokenKey is { Length: > 0 } configured)
            return new TokenSigner(SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
        return new TokenSigner(KeyFile.ReadOrCreate(Path.Combine(dataDir, "auth.key")));
    }

    public string Sign(Caller caller)
    {
        var payload = WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(caller));
        return $"{payload}.{WebEncoders.Base64UrlEncode(Mac(payload))}";
    }

    /// <summary>The caller of a token signed with this key and not expired; null otherwise.</summary>
    public Caller? Verify(string token, DateTimeOffset now)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0)
            return null;
        var payload = token[..dot];
        try
        {
            if (!CryptographicOperations.FixedTimeEquals(WebEncoders.Base64UrlDecode(token[(dot + 1)..]), Mac(payload)))
                return null;
            var caller = JsonSerializer.Deserialize<Caller>(WebEncoders.Base64UrlDecode(payload));
            return caller is not null && caller.ExpiresAt > now ? caller : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private byte[] Mac(string payload) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(payload));
}
