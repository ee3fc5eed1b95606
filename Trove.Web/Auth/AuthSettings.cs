using System.Text;
using Trove.Contracts;

namespace Trove.Web.Auth;

/// <summary>A user of the built-in identity service.</summary>
public sealed record AuthUser(string Name, string Password, string Project, IReadOnlyList<string> Roles)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

/// <summary>Where identities come from: the built-in issuer (<c>builtin</c>) or a Keystone v3 (<c>keystone</c>).</summary>
public sealed record AuthSettings
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);

    public string Mode { get; init; } = "builtin";

    /// <summary>The Keystone v3 that issued the tokens, e.g. http://keystone:5000/v3 (keystone mode).</summary>
    public string? KeystoneUrl { get; init; }

    public static readonly IReadOnlyList<AuthUser> DefaultUsers =
    [
        new("demo", "demo", "demo", ["member"]),
        new("admin", "admin", "admin", ["admin", "member"]),
    ];

    public IReadOnlyList<AuthUser> Users { get; init; } = DefaultUsers;

    /// <summary>Lets demo/demo and admin/admin log in on an API that listens beyond loopback (a demo on a shared network).</summary>
    public bool AllowDefaultUsers { get; init; }

    /// <summary>Password logins (<c>POST /v3/auth/tokens</c>) one source address may try per minute; 0 for no limit.</summary>
    public int TokenIssuePerMinute { get; init; } = 30;

    /// <summary>The shortest <see cref="TokenKey"/> accepted: HMAC-SHA256 wants a key of at least its output's length.</summary>
    public const int MinTokenKeyBytes = 32;

    public IReadOnlyList<string> AdminRoles { get; init; } = ["admin"];
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>The key that signs built-in tokens; when unset, one is made once and kept in the data dir.</summary>
    public string? TokenKey { get; init; }

    public string Region { get; init; } = "RegionOne";

    /// <summary>How long a token Keystone confirmed is trusted before asking again.</summary>
    public TimeSpan KeystoneCacheFor { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Binds <c>Trove:Auth</c>. The configuration binder appends configured list items to a list's defaults, which
    /// would keep admin/admin next to an operator's own users; configured lists replace the defaults instead.
    /// </summary>
    public static AuthSettings From(IConfigurationSection section)
    {
        var bound = section.Get<AuthSettings>() ?? new AuthSettings();
        return bound with
        {
            Users = section.GetSection(nameof(Users)).Get<List<AuthUser>>() ?? DefaultUsers,
            AdminRoles = section.GetSection(nameof(AdminRoles)).Get<List<string>>() ?? ["admin"],
        };
    }

    public bool IsKeystone => string.Equals(Mode, "keystone", StringComparison.OrdinalIgnoreCase);

    /// <summary>Refuses to start on a setting that would silently leave the API open or unusable.</summary>
    public AuthSettings Validated(string httpHost = "127.0.0.1")
    {
        if (!IsKeystone && !string.Equals(Mode, "builtin", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Trove:Auth:Mode is '{Mode}'; it must be 'builtin' or 'keystone'.");
        if (IsKeystone && !Uri.TryCreate(KeystoneUrl, UriKind.Absolute, out _))
            throw new InvalidOperationException("Trove:Auth:Mode is 'keystone', so Trove:Auth:KeystoneUrl must be the Keystone v3 URL, e.g. http://keystone:5000/v3.");
        if (!IsKeystone && Users.Count == 0)
            throw new InvalidOperationException("Trove:Auth:Users is empty, so nobody could log in.");
        if (TokenKey is { Length: > 0 } key && System.Text.Encoding.UTF8.GetByteCount(key) < MinTokenKeyBytes)
            throw new InvalidOperationException(
                $"Trove:Auth:TokenKey is {System.Text.Encoding.UTF8.GetByteCount(key)} bytes; it must be at least {MinTokenKeyBytes} (e.g. `head -c 32 /dev/urandom | base64`).");
        if (!IsKeystone && !AllowDefaultUsers && !IsLoopback(httpHost)
            && Users.FirstOrDefault(u => DefaultUsers.Any(d => d.Name == u.Name && d.Password == u.Password)) is { } known)
            throw new InvalidOperationException(
                $"Trove:HttpHost is {httpHost}, beyond loopback, and Trove:Auth:Users has the built-in user '{known.Name}' with its well-known password: "
                + "configure your own users (Trove:Auth:Users), or set Trove:Auth:AllowDefaultUsers=true to accept them.");
        return this;
    }

    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address));
}
