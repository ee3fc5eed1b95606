namespace Trove.Guest.Datastores.MariaDb;

// MERGE: delete this file when the MySqlConnector rewrite of MariaDbManager (which adds MariaDB's read-only switch)
// lands; until then the profile's ReadOnlyMode has no engine behind it, and the agent logs the refusal.
public sealed partial class MariaDbManager
{
    public Task SetReadOnlyAsync(bool readOnly, CancellationToken ct) =>
        throw new NotSupportedException("MariaDB's read-only switch comes with the MySqlConnector manager.");
}
