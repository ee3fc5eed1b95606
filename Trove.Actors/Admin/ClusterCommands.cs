using Akka.Actor;
using Akka.Cluster;
using Trove.Contracts.Admin;

namespace Trove.Actors.Admin;

/// <summary><c>cluster show|leave|down|down-unreachable|join</c>: membership as this node sees it, and steering it.</summary>
public sealed class ClusterCommands(ActorSystem system) : IAdminCommandSet
{
    private Cluster Cluster => Cluster.Get(system);

    public IEnumerable<AdminCommand> Commands =>
    [
        new("cluster show", [], "members, roles, status, reachability, leader and app version", (_, _) => Task.FromResult(Show())),
        new("cluster leave", ["ADDR"], "asks a member to leave gracefully (hands its shards off)", (a, _) => Task.FromResult(OnMember(a[0], "leaving", Cluster.Leave))),
        new("cluster down", ["ADDR"], "marks a member down (use for a node that is gone)", (a, _) => Task.FromResult(OnMember(a[0], "downed", Cluster.Down))),
        new("cluster down-unreachable", [], "marks every unreachable member down", (_, _) => Task.FromResult(DownUnreachable())),
        new("cluster join", ["ADDR"], "makes this node join the cluster of the node at ADDR", (a, _) => Task.FromResult(Join(a[0]))),
    ];

    private AdminResponse Show()
    {
        var state = Cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var rows = state.Members.Concat(state.Unreachable.Where(m => !state.Members.Contains(m)))
            .OrderBy(m => m.Address.Port)
            .Select(m => (IReadOnlyList<string>)
            [
                m.Address.ToString() + (m.Address == Cluster.SelfAddress ? " (self)" : ""),
                m.Status.ToString(),
                unreachable.Contains(m.Address) ? "unreachable" : "reachable",
                string.Join(',', m.Roles.Order()),
                m.AppVersion.ToString(),
            ]);
        var table = TextTable.Format(["ADDRESS", "STATUS", "REACHABILITY", "ROLES", "VERSION"], rows);
        return AdminResponse.Ok($"leader: {state.Leader?.ToString() ?? "none"}\n{table}");
    }

    private AdminResponse OnMember(string text, string done, Action<Address> act)
    {
        if (!TryParse(text, out var address))
            return AdminResponse.Usage($"'{text}' is not an address (akka.tcp://{system.Name}@HOST:PORT or HOST:PORT)");
        var state = Cluster.State;
        if (!state.Members.Any(m => m.Address == address) && !state.Unreachable.Any(m => m.Address == address))
            return AdminResponse.Failed($"{address} is not a member of this cluster");
        act(address);
        return AdminResponse.Ok($"{done}: {address}\n");
    }

    private AdminResponse DownUnreachable()
    {
        var unreachable = Cluster.State.Unreachable.Select(m => m.Address).ToList();
        foreach (var address in unreachable)
            Cluster.Down(address);
        return AdminResponse.Ok(unreachable.Count == 0
            ? "no unreachable members\n"
            : string.Concat(unreachable.Select(a => $"downed: {a}\n")));
    }

    private AdminResponse Join(string text)
    {
        if (!TryParse(text, out var address))
            return AdminResponse.Usage($"'{text}' is not an address (akka.tcp://{system.Name}@HOST:PORT or HOST:PORT)");
        Cluster.Join(address);
        return AdminResponse.Ok($"joining: {address}\n");
    }

    /// <summary>A full Akka address, or HOST:PORT of a node of this actor system.</summary>
    private bool TryParse(string text, out Address address)
    {
        address = Address.AllSystems;
        try
        {
            if (text.Contains("://"))
            {
                address = Address.Parse(text);
                return address.Host is not null && address.Port is not null;
            }
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port))
                return false;
            address = new Address(Cluster.SelfAddress.Protocol, system.Name, text[..colon], port);
            return true;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }
}
