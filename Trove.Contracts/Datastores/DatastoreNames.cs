using System.Text.RegularExpressions;

namespace Trove.Contracts.Datastores;

/// <summary>The database and user names a datastore takes: unquoted in SQL, and nothing that needs quoting in a shell
/// or a file name. <see cref="Allowed"/> says <see cref="Pattern"/> in words, for error messages.</summary>
public sealed record DatastoreNames(Regex Pattern, string Allowed, int MaxDatabaseLength, int MaxUserLength, IReadOnlySet<string> ReservedDatabases)
{
    public bool IsValidDatabase(string name) => IsValid(name, MaxDatabaseLength);

    public bool IsValidUser(string name) => IsValid(name, MaxUserLength);

    public bool IsReservedDatabase(string name) => ReservedDatabases.Contains(name);

    /// <summary>What the API says of a name that does not follow <see cref="Pattern"/> or is too long.</summary>
    public string Invalid(string kind, string name, int maxLength) =>
        $"'{name}' is not a valid {kind} name: use 1 to {maxLength} {Allowed}, starting with a letter or '_'.";

    private bool IsValid(string name, int maxLength) => name.Length > 0 && name.Length <= maxLength && Pattern.IsMatch(name);
}
