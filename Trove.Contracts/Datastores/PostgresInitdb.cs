namespace Trove.Contracts.Datastores;

/// <summary>How a PostgreSQL server's data is initialised, by its guest or, once per version, by the compute driver
/// that gives new servers a copy of that pristine data (the same initdb, so the two are alike).</summary>
public static class PostgresInitdb
{
    public static string Tool(string version) => $"/usr/lib/postgresql/{version}/bin/initdb";

    /// <summary>The engine itself, beside its initdb.</summary>
    public static string Engine(string version) => $"/usr/lib/postgresql/{version}/bin/postgres";

    public static IReadOnlyList<string> Args(string dataDir) =>
        ["-D", dataDir, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"];

    /// <summary>Where in a server's directory the copy waits for its guest, which takes it in place of its own initdb.</summary>
    public const string PristineCopy = "postgres/pristine";

    /// <summary>A database renamed to a server's first tenant database: a rename takes a millisecond, where CREATE
    /// DATABASE copies template1 into the write-ahead log (~0.5 s, most of a pool-less PostgreSQL prepare). The node's
    /// pristine data comes with it, and a pool's server makes another while it waits if its rehearsal took that one; one
    /// no prepare used is dropped. Reserved, never a tenant's name.</summary>
    public const string SpareDatabase = "trove_spare";
}
