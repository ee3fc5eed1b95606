using System.Text.RegularExpressions;

namespace Trove.Guest.Datastores.MariaDb;

/// <summary>Names in MariaDB statements. Values (user names, hosts, passwords, setting values) always go as parameters;
/// a name where SQL takes no parameter (a database, a variable) goes through <see cref="Identifier"/>, the one quoting.</summary>
public static partial class MariaSql
{
    /// <summary>A quoted identifier: in backticks, a backtick inside doubled; NUL, which MariaDB cuts names at, is refused.</summary>
    public static string Identifier(string name) =>
        name.Contains('\0') ? throw new ArgumentException("a name cannot contain NUL") : $"`{name.Replace("`", "``")}`";

    /// <summary>The database of a <c>GRANT ... ON db.*</c>: there <c>_</c> and <c>%</c> are wildcards, so a grant on
    /// <c>a_b</c> would also open <c>axb</c> unless they are escaped.</summary>
    public static string GrantTarget(string database) => Identifier(GrantPattern(database)) + ".*";

    /// <summary>A database name as mysql.db keeps a grant on it: with its wildcards escaped.</summary>
    public static string GrantPattern(string database) => database.Replace("\\", "\\\\").Replace("_", "\\_").Replace("%", "\\%");

    /// <summary>A database name from mysql.db.</summary>
    public static string UnescapeGrant(string pattern) => Escaped().Replace(pattern, "$1");

    [GeneratedRegex(@"\\(.)")]
    private static partial Regex Escaped();
}
