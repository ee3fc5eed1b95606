namespace Trove.Guest.Datastores.Postgres;

/// <summary>Quoting for the statements that take no parameters (CREATE DATABASE, CREATE ROLE ... PASSWORD).</summary>
public static class Sql
{
    public static string Identifier(string name) =>
        name.Contains('\0') ? throw new ArgumentException("a name cannot contain NUL") : $"\"{name.Replace("\"", "\"\"")}\"";

    public static string Literal(string value) =>
        value.Contains('\0') ? throw new ArgumentException("a value cannot contain NUL") : $"'{value.Replace("'", "''")}'";
}
