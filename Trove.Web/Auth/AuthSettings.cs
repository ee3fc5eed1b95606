namespace Trove.Web.Auth;

/// <summary>A user of the built-in identity service.</summary>
public sealed record AuthUser(string Name, string Password, string Project, IReadOnlyList<string> Roles);

/// <summary>Where identities come from: the built-in issuer (<c>builtin</c>) or a Keystone v3 (<c>keystone</c>).</summary>
public sealed record AuthSettings
{
    public string Mode { get; init; } = "builtin";

    /// <summary>The Keystone v3 that issued the tokens, e.g. http://keystone:5000/v3 (keystone mode).</summary>
    public string? KeystoneUrl { get; init; }

    public IReadOnlyList<AuthUser> Users { get; init; } =
    [
        new("demo", "demo", "demo", ["member"]),
        new("admin", "admin", "admin", ["admin", "member"]),
    ];

    public IReadOnlyList<string> AdminRoles { get; init; } = ["admin"];
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>The key that signs built-in tokens; when unset, one is made once and kept in the data dir.</summary>
    public string? TokenKey { get; init; }

    public string Region { get; init; } = "RegionOne";

    /// <summary>How long a token Keystone confirmed is trusted before asking again.</summary>
    public TimeSpan KeystoneCacheFor { get; init; } = TimeSpan.FromMinutes(1);

    public bool IsKeystone => string.Equals(Mode, "keystone", StringComparison.OrdinalIgnoreCase);
}
