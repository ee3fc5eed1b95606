using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Trove.Actors.Sql;

/// <summary>
/// The PRAGMAs each pooled SQLite connection last ran. Microsoft.Data.Sqlite pools its native connections and a PRAGMA
/// lasts as long as the native connection, so running them on every open cost each open ~3 µs (a fifth of an open and a
/// point query). The read model and the catalog share a file, so one native connection may serve both: a different
/// synchronous mode runs again.
/// </summary>
internal static class SqlitePragmas
{
    private static readonly ConditionalWeakTable<object, string> LastRun = new();

    public static bool Need(DbConnection connection, string pragmas) =>
        connection is not SqliteConnection { Handle: { } handle } || !LastRun.TryGetValue(handle, out var last) || last != pragmas;

    public static void Ran(DbConnection connection, string pragmas)
    {
        if (connection is SqliteConnection { Handle: { } handle })
            LastRun.AddOrUpdate(handle, pragmas);
    }
}
