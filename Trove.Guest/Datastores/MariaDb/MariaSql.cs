namespace Trove.Guest.Datastores.MariaDb;

/// <summary>Quoting for MariaDB statements sent through the command-line client (which takes no parameters).</summary>
public static class MariaSql
{
    public static string Identifier(string name) => $"`{NoNul(name).Replace("`", "``")}`";

    /// <summary>A string literal for the default sql_mode, where backslash escapes.</summary>
    public static string Literal(string value) => $"'{NoNul(value).Replace("\\", "\\\\").Replace("'", "\\'")}'";

    /// <summary>A host-scoped account, <c>'user'@'host'</c>; host defaults to '%' as upstream.</summary>
    public static string Account(string user, string? host) => $"{Literal(user)}@{Literal(host ?? "%")}";

    /// <summary>The database of a <c>GRANT ... ON db.*</c>: there <c>_</c> and <c>%</c> are wildcards, so a grant on
    /// <c>a_b</c> would also open <c>axb</c> unless they are escaped.</summary>
    public static string GrantTarget(string database) => Identifier(GrantPattern(database)) + ".*";

    /// <summary>A database name as mysql.db keeps a grant on it: with its wildcards escaped.</summary>
    public static string GrantPattern(string database) => database.Replace("\\", "\\\\").Replace("_", "\\_").Replace("%", "\\%");

    /// <summary>A database name from mysql.db.</summary>
    public static string UnescapeGrant(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\\(.)", "$1");

    private static string NoNul(string s) => s.Contains('\0') ? throw new ArgumentException("a name or value cannot contain NUL") : s;
}
