using Akka.Actor;
using Akka.Hosting;
using Trove.Actors.Pool;
using Trove.Contracts.Admin;

namespace Trove.Actors.Admin;

/// <summary><c>pool list</c>: the warm pool's servers (no tenant sees them); <c>pool delete ID</c>: removes one that is
/// not claimed, with its server (the pool then makes another).</summary>
public sealed class PoolAdminCommands(IRequiredActor<ServerPoolKey> pool) : IAdminCommandSet
{
    public IEnumerable<AdminCommand> Commands =>
    [
        new("pool list", [], "the warm pool's servers: id, datastore version, status, since", (_, _) => List()),
        new("pool delete", ["ID"], "removes a pool server that is not claimed, and its server", (a, _) => Delete(a[0])),
    ];

    private async Task<AdminResponse> List()
    {
        var listed = await pool.ActorRef.Ask<PoolReplies.Listed>(new PoolCommands.List(), AdminCommands.AskTimeout);
        return AdminResponse.Ok(TextTable.Format(["ID", "DATASTORE", "STATUS", "SINCE", "ADDRESS"],
            listed.Members.Select(m => (IReadOnlyList<string>)[m.Id, $"{m.Key.Datastore} {m.Key.Version}", m.Status.ToString().ToUpperInvariant(),
                m.Since.ToString("O"), m.Address is null ? "" : $"{m.Address}:{m.Port}"])));
    }

    private async Task<AdminResponse> Delete(string id) =>
        await pool.ActorRef.Ask<object>(new PoolCommands.Remove(id), AdminCommands.AskTimeout) switch
        {
            PoolReplies.Removed => AdminResponse.Ok($"pool server {id} removed\n"),
            PoolReplies.NotRemoved refused => AdminResponse.Failed($"{refused.Message}\n"),
            var other => AdminResponse.Failed($"unexpected reply {other.GetType().Name}\n"),
        };
}
