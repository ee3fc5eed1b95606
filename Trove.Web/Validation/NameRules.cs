using System.Text.RegularExpressions;
using Trove.Contracts.Guests;

namespace Trove.Web.Validation;

/// <summary>What a datastore accepts as database and user names and passwords, checked before anything reaches a guest.</summary>
public sealed partial record NameRules(
    Regex Name, string Allowed, int MaxDatabaseLength, int MaxUserLength, IReadOnlySet<string> ReservedDatabases, ReservedUsers ReservedUsers)
{
    public static readonly NameRules Postgres = new(
        PostgresName(), "letters, digits, '_' or '-'", 63, 63,
        new HashSet<string> { "postgres", "template0", "template1" },
        Contracts.Guests.ReservedUsers.Postgres);

    /// <summary>MariaDB 10.11's limits: database names up to 64 characters, user names up to 80. '$' is the one more
    /// character MariaDB takes in unquoted names; nothing that needs quoting in a shell or a file name.</summary>
    public static readonly NameRules MariaDb = new(
        MariaDbName(), "letters, digits, '_', '$' or '-'", 64, 80,
        new HashSet<string> { "mysql", "information_schema", "performance_schema", "sys", "lost+found" },
        Contracts.Guests.ReservedUsers.MariaDb);

    public static NameRules For(string datastore) => datastore switch
    {
        "postgresql" => Postgres,
        "mariadb" => MariaDb,
        _ => throw new RequestError(400, $"Datastore '{datastore}' has no rules for names."),
    };

    public void CheckDatabase(string name)
    {
        CheckName("database", name, MaxDatabaseLength);
        if (ReservedDatabases.Contains(name))
            throw new RequestError(400, $"Database name '{name}' is reserved.");
    }

    public void CheckUser(string name)
    {
        CheckUnreserved(name);
        CheckName("user", name, MaxUserLength);
    }

    /// <summary>An existing user a request acts on (update, delete, grant, revoke) must not be one of the datastore's own.</summary>
    public void CheckUnreserved(string name)
    {
        if (ReservedUsers.Contains(name))
            throw new RequestError(400, Contracts.Guests.ReservedUsers.Message(name));
    }

    public static void CheckPassword(string user, string? password)
    {
        if (string.IsNullOrEmpty(password))
            throw RequestError.Invalid($"user '{user}' needs a non-empty password.");
        if (password.Length > 128 || password.Contains('\0'))
            throw RequestError.Invalid($"the password of user '{user}' must be at most 128 characters, without NUL.");
    }

    private void CheckName(string kind, string name, int maxLength)
    {
        if (name.Length == 0 || name.Length > maxLength || !Name.IsMatch(name))
            throw new RequestError(400,
                $"'{name}' is not a valid {kind} name: use 1 to {maxLength} {Allowed}, starting with a letter or '_'.");
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex PostgresName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_$-]*$")]
    private static partial Regex MariaDbName();
}
