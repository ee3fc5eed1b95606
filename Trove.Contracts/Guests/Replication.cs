using System.Text;
using System.Text.Json.Serialization;

namespace Trove.Contracts.Guests;

/// <summary>The names a source's guest gives what it makes for one replica: a login role that may only replicate, and a
/// physical replication slot, which keeps the WAL the replica has not streamed yet.</summary>
public static class ReplicationNames
{
    /// <summary>Reserved: no tenant user may take a name that starts so.</summary>
    public const string RolePrefix = "trove_repl_";

    public static string Role(string replicaId) => RolePrefix + Hex(replicaId);

    public static string Slot(string replicaId) => "trove_replica_" + Hex(replicaId);

    private static string Hex(string id) => new(id.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
}

/// <summary>Args of the source's <c>get_replica_context</c> (make the replica's role and slot, answer its credentials) and
/// of <c>cleanup_source_on_replica_detach</c> (drop them), as upstream names the two.</summary>
public sealed record ReplicaArgs([property: JsonPropertyName("replica_id")] string ReplicaId);

/// <summary>What a replica's guest needs to stream from its source: the source's address, and the role and slot made for
/// this replica. Carried by the source's answer and the replica's <c>prepare</c> (the durable queue), never journaled.</summary>
public sealed record ReplicaSource(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("password")] string Password,
    [property: JsonPropertyName("slot")] string Slot)
{
    private bool PrintMembers(StringBuilder builder) => Secrets.PrintMembers(this, builder);
}

/// <summary>Where an engine is in its log: a writable one, where it writes; a replica, the furthest it received; a stopped
/// (fenced) one, where it stopped. PostgreSQL answers an <paramref name="Lsn"/> as it writes them (<c>16/B374D848</c>);
/// MariaDB a <paramref name="Gtid"/> position, one GTID per replication domain (<c>0-1-42,1-7-3</c>).</summary>
public sealed record ReplicationPosition(
    [property: JsonPropertyName("lsn")] string? Lsn,
    [property: JsonPropertyName("writable")] bool Writable,
    [property: JsonPropertyName("gtid")] string? Gtid = null)
{
    /// <summary>Whether this engine received everything a source that stopped at <paramref name="fenced"/> wrote. A
    /// PostgreSQL replica must be past the fenced LSN (the shutdown checkpoint's record itself); a MariaDB one at least at
    /// the fenced GTID in every domain.</summary>
    public bool Holds(ReplicationPosition fenced) => fenced.Gtid is { } gtid
        ? GtidPosition.Parse(Gtid).Covers(GtidPosition.Parse(gtid))
        : Value > fenced.Value;

    /// <summary>Whether this replica received more than <paramref name="other"/>: the one a failover promotes.</summary>
    public bool IsAheadOf(ReplicationPosition other) => Gtid is not null || other.Gtid is not null
        ? GtidPosition.Parse(Gtid).CompareTo(GtidPosition.Parse(other.Gtid)) > 0
        : Value > other.Value;

    /// <summary>What to show of it: the LSN, or the GTID position.</summary>
    [JsonIgnore]
    public string Text => Lsn ?? Gtid ?? "";

    private ulong Value => Parse(Lsn ?? throw new FormatException("a position without an LSN"));

    private static ulong Parse(string lsn) => lsn.Split('/') is [var high, var low]
        ? (Convert.ToUInt64(high, 16) << 32) | Convert.ToUInt64(low, 16)
        : throw new FormatException($"'{lsn}' is not an LSN");
}

/// <summary>Args of <c>make_read_only</c>.</summary>
public sealed record ReadOnlyArgs([property: JsonPropertyName("read_only")] bool ReadOnly);
