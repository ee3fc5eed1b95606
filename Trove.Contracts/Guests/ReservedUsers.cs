namespace Trove.Contracts.Guests;

/// <summary>
/// A datastore's own accounts and the guest's: no tenant request creates, changes, re-hosts, grants, revokes or deletes
/// them (root goes through the root endpoints only). The API refuses them with a 400 and the guest refuses them again,
/// so that a message that reaches the guest some other way cannot turn, say, MariaDB's socket-only root into a remote
/// one. Compared ignoring case: refusing 'Root' too costs a tenant nothing.
/// </summary>
public sealed record ReservedUsers(IReadOnlySet<string> Names, IReadOnlyList<string> Prefixes)
{
    /// <summary>The superuser, and every <c>pg_</c> role (PostgreSQL's predefined roles, such as pg_execute_server_program).</summary>
    public static readonly ReservedUsers Postgres = new(Set("postgres", "os_admin"), ["pg_"]);

    /// <summary>root (root@% of the root endpoints), the guest's socket-only account (named after its OS user, trove-...),
    /// the engine's own accounts and roles, and the anonymous user.</summary>
    public static readonly ReservedUsers MariaDb = new(Set("root", "os_admin", "mariadb.sys", "mysql", "PUBLIC", ""), ["trove-"]);

    public bool Contains(string name) =>
        Names.Contains(name) || Prefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The message both the API and the guest give.</summary>
    public static string Message(string name) => $"User name '{name}' is reserved.";

    /// <summary>The guest's check: an <see cref="ArgumentException"/>, which reaches the API as a 400.</summary>
    public void Check(string name)
    {
        if (Contains(name))
            throw new ArgumentException(Message(name));
    }

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.OrdinalIgnoreCase);
}
