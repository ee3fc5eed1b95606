using Trove.Contracts.Guests;

namespace Trove.Guest.Datastores.MariaDb;

/// <summary>
/// The instance's allowed networks as MariaDB's own rules, which have no host-based file as PostgreSQL's pg_hba.conf:
/// the tenants' accounts (whose hosts are theirs to choose) pass through <c>init_connect</c>, which fails (and so
/// closes the connection) for a client outside the networks; root, whose privileges skip init_connect, exists once per
/// network as accounts with those hosts.
/// </summary>
public static class MariaAccess
{
    /// <summary>Empty (no check) when every client is allowed.</summary>
    public static string InitConnect(IReadOnlyList<Cidr> networks)
    {
        if (networks.Count == 0)
            return "";
        var client = "INET_ATON(SUBSTRING_INDEX(USER(), '@', -1))"; // the client's address: the server skips name resolution
        var allowed = string.Join(" OR ", networks.Select(n => $"{client} BETWEEN {n.First} AND {n.Last}"));
        // A scalar subquery with two rows is an error: only for a client that is not allowed (a socket's 'localhost' is NULL here).
        return $"SET @trove_access = (SELECT a FROM (SELECT 1 a UNION ALL SELECT 2) t WHERE NOT ({allowed}))";
    }

    /// <summary>The hosts of root's accounts: '%' when every client is allowed.</summary>
    public static IReadOnlyList<string> RootHosts(IReadOnlyList<Cidr> networks) =>
        networks.Count == 0 || networks.Any(n => n.PrefixLength == 0)
            ? ["%"]
            : networks.Select(n => n.PrefixLength == 32 ? n.Network : $"{n.Network}/{n.Netmask}").Distinct().ToList();
}
