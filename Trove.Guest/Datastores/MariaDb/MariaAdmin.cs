using System.Globalization;
using System.Text;
using MySqlConnector;

namespace Trove.Guest.Datastores.MariaDb;

/// <summary>
/// The guest's session on its engine: over the unix socket, as the socket-only account named after the guest's OS user
/// (unix_socket authentication checks the connecting process's user, so no password exists to leak). Statements take
/// their values as positional parameters (<c>?</c>). MySqlConnector escapes them for backslash escapes on, whatever
/// sql_mode it meets, so the session's own mode is emptied: a configuration group's NO_BACKSLASH_ESCAPES would otherwise
/// turn a value's backslashes into part of a name or password (ANSI_QUOTES and the rest go with it).
/// </summary>
public sealed class MariaAdmin : IAsyncDisposable
{
    private readonly MySqlConnection _connection;

    private MariaAdmin(MySqlConnection connection) => _connection = connection;

    public static async Task<MariaAdmin> OpenAsync(string socket, string account, CancellationToken ct)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = socket, ConnectionProtocol = MySqlConnectionProtocol.UnixSocket, UserID = account,
            Pooling = false, ConnectionTimeout = 5, CharacterSet = "utf8mb4",
        };
        var connection = new MySqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await using var mode = new MySqlCommand("SET SESSION sql_mode = ''", connection);
            await mode.ExecuteNonQueryAsync(ct);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return new MariaAdmin(connection);
    }

    public async Task ExecAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = Command(sql, values);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = Command(sql, values);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    /// <summary>Each row's columns as strings (NULL as null).</summary>
    public async Task<IReadOnlyList<string?[]>> RowsAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = Command(sql, values);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<string?[]>();
        while (await reader.ReadAsync(ct))
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Text(reader.GetValue(i))).ToArray());
        return rows;
    }

    /// <summary>The first row's columns by name (NULL as null), or null when there is no row: for SHOW statements.</summary>
    public async Task<IReadOnlyDictionary<string, string?>?> RowAsync(string sql, CancellationToken ct, params object?[] values)
    {
        await using var command = Command(sql, values);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => Text(reader.GetValue(i)))
            : null;
    }

    private static string? Text(object value) => value switch
    {
        DBNull => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes), // a binary-collated column of the mysql schema
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary><c>?</c> placeholders for <paramref name="count"/> values, as in <c>IN (?, ?, ?)</c>.</summary>
    public static string Placeholders(int count) => string.Join(", ", Enumerable.Repeat("?", count));

    private MySqlCommand Command(string sql, object?[] values)
    {
        var command = new MySqlCommand(sql, _connection);
        foreach (var value in values)
        {
            if (value is string s && s.Contains('\0'))
                throw new ArgumentException("a name or value cannot contain NUL");
            command.Parameters.Add(new MySqlParameter { Value = value ?? DBNull.Value });
        }
        return command;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
