using System.Globalization;

namespace Trove.Contracts.Guests;

/// <summary>
/// A MariaDB GTID position (<c>@@gtid_binlog_pos</c>, <c>@@gtid_slave_pos</c>, <c>Gtid_IO_Pos</c>): per replication domain,
/// the last transaction's GTID, domain-server-sequence (a domain's sequence numbers go on rising across a change of
/// source). Trove's servers all write in <see cref="SourceDomain"/>, the default; another domain holds what a tenant's
/// root wrote under a <c>gtid_domain_id</c> of its own.
/// </summary>
public sealed class GtidPosition : IComparable<GtidPosition>
{
    public const uint SourceDomain = 0;

    private readonly IReadOnlyDictionary<uint, (uint Server, ulong Sequence)> _last;

    private GtidPosition(IEnumerable<(uint Domain, uint Server, ulong Sequence)> gtids) =>
        _last = gtids.GroupBy(g => g.Domain).ToDictionary(g => g.Key, g => g.Select(x => (x.Server, x.Sequence)).MaxBy(x => x.Sequence));

    /// <summary>"0-1-42,1-7-3" (empty or null: nothing yet).</summary>
    public static GtidPosition Parse(string? text) => new((text ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(gtid => gtid.Split('-') is [var domain, var server, var sequence]
            ? (Number<uint>(domain), Number<uint>(server), Number<ulong>(sequence))
            : throw new FormatException($"'{gtid}' is not a GTID")));

    /// <summary>The furthest of several positions, domain by domain.</summary>
    public static GtidPosition Furthest(params string?[] positions) =>
        new(positions.Select(Parse).SelectMany(p => p._last.Select(d => (d.Key, d.Value.Server, d.Value.Sequence))));

    public ulong SequenceIn(uint domain) => _last.TryGetValue(domain, out var last) ? last.Sequence : 0;

    /// <summary>Whether every transaction of <paramref name="other"/> is within this position, domain by domain.</summary>
    public bool Covers(GtidPosition other) => other._last.All(d => SequenceIn(d.Key) >= d.Value.Sequence);

    /// <summary>By the source's domain first, then by what the other domains hold together.</summary>
    public int CompareTo(GtidPosition? other) => other is null ? 1
        : SequenceIn(SourceDomain).CompareTo(other.SequenceIn(SourceDomain)) is var bySource and not 0 ? bySource
        : Others.CompareTo(other.Others);

    private decimal Others => _last.Where(d => d.Key != SourceDomain).Sum(d => (decimal)d.Value.Sequence);

    public override string ToString() => string.Join(',', _last.OrderBy(d => d.Key).Select(d => $"{d.Key}-{d.Value.Server}-{d.Value.Sequence}"));

    private static T Number<T>(string text) where T : IParsable<T> => T.Parse(text, CultureInfo.InvariantCulture);
}
