using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Trove.Contracts.Guests;

namespace Trove.Contracts.Datastores;

/// <summary>The datastores this control plane has a guest manager for.</summary>
public static partial class DatastoreProfiles
{
    public static readonly DatastoreProfile Postgres = new("postgresql", "PostgreSQL",
        new DatastoreNames(PostgresName(), "letters, digits, '_' or '-'", 63, 63, Databases("postgres", "template0", "template1", PostgresInitdb.SpareDatabase)),
        // The superusers (the guest's, and root's once enabled), and every pg_ role (PostgreSQL's predefined roles, such as
        // pg_execute_server_program), and the replication roles the guest makes for replicas (trove_repl_...).
        new ReservedUsers(Set("postgres", "root", "os_admin"), ["pg_", ReplicationNames.RolePrefix]),
        new DatastoreCapabilities(Backups: true, IncrementalBackups: false, ReadOnlyMode: true, Replication: true, Promotion: true,
            PointInTimeRecovery: true)) { Port = 5432 };

    /// <summary>MariaDB 10.11's limits: database names up to 64 characters, user names up to 80. '$' is the one more
    /// character MariaDB takes in unquoted names.</summary>
    public static readonly DatastoreProfile MariaDb = new("mariadb", "MariaDB",
        new DatastoreNames(MariaDbName(), "letters, digits, '_', '$' or '-'", 64, 80,
            Databases("mysql", "information_schema", "performance_schema", "sys", "lost+found")),
        // root (root@% of the root endpoints), the guest's socket-only account (named after its OS user, trove-...),
        // the engine's own accounts and roles, the anonymous user, and the replication accounts made for replicas.
        new ReservedUsers(Set("root", "os_admin", "mariadb.sys", "mysql", "PUBLIC", ""), ["trove-", ReplicationNames.RolePrefix]),
        new DatastoreCapabilities(Backups: true, IncrementalBackups: true, ReadOnlyMode: true, Replication: true, Promotion: true)) { Port = 3306 };

    public static readonly IReadOnlyList<DatastoreProfile> All = [Postgres, MariaDb];

    /// <summary>The profile of a catalog datastore type (its manager's name), or null when no guest manages it.</summary>
    public static DatastoreProfile? Find(string datastore) => All.FirstOrDefault(p => p.Name == datastore);

    public static bool TryFind(string datastore, [NotNullWhen(true)] out DatastoreProfile? profile) =>
        (profile = Find(datastore)) is not null;

    /// <summary>The profile of a datastore the caller knows to be managed (a guest's own, a stored instance's).</summary>
    public static DatastoreProfile Of(string datastore) =>
        Find(datastore) ?? throw new NotSupportedException($"datastore '{datastore}' has no profile; known: {string.Join(", ", All.Select(p => p.Name))}");

    /// <summary>Reserved users are compared ignoring case (refusing 'Root' too costs a tenant nothing); database names
    /// as the engines compare them.</summary>
    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.OrdinalIgnoreCase);

    private static HashSet<string> Databases(params string[] names) => new(names, StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex PostgresName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_$-]*$")]
    private static partial Regex MariaDbName();
}
