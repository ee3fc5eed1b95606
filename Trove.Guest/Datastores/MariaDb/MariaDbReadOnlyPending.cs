namespace Trove.Guest.Datastores.MariaDb;

// MERGE: delete this file when the MySqlConnector rewrite of MariaDbManager (which adds MariaDB's read-only switch)
// lands. Until then writes are always on, so turning them on holds; turning them off is refused, and the agent logs it.
public sealed partial class MariaDbManager
{
    public Task SetReadOnlyAsync(bool readOnly, CancellationToken ct) => readOnly
        ? throw new NotSupportedException("MariaDB's read-only switch comes with the MySqlConnector manager.")
        : Task.CompletedTask;
}
