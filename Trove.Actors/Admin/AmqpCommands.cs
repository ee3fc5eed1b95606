using Trove.Actors.Broker;
using Trove.Actors.Conductor;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Contracts.Admin;
using Trove.Contracts.Guests;

namespace Trove.Actors.Admin;

/// <summary><c>amqp status</c>: this node's broker connection, the guest reports and replies it refused, how far behind each
/// conductor of the cluster is (as this node's instances count it), and the depth and consumers of the queues it uses.</summary>
public sealed class AmqpCommands(AmqpClients amqp, ReadModelDb readModel, ReportCheck reports, ConductorClock conductors) : IAdminCommandSet
{
    public IEnumerable<AdminCommand> Commands =>
    [
        new("amqp status", [], "broker connection, and messages and consumers of the conductor and guest queues", (_, ct) => Status(ct)),
    ];

    private async Task<AdminResponse> Status(CancellationToken ct)
    {
        var connector = amqp.Connector;
        var settings = amqp.Settings;
        var broker = new UriBuilder(settings.Uri) { UserName = "", Password = "" }.Uri;
        var header = $"broker: {broker} ({(connector.IsOpen ? "connected" : "disconnected")}), exchange {settings.Exchange}\n"
                     + $"refused: {reports.Refused} reports, {amqp.Rpc.RefusedReplies} replies (from a broker user other than the guest's)\n"
                     + $"conductors behind by: {Lags()}\n";
        var queues = new List<(string Queue, string Role)> { (settings.ConductorQueue, "conductor") };
        queues.AddRange((await readModel.LiveIdsAsync(InstanceRegistration.TypeName, ct))
            .Select(id => (TroveBroker.GuestQueue(id), "guest")));
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (queue, role) in queues)
        {
            var depth = connector.IsOpen ? await connector.InspectQueueAsync(queue, ct) : null;
            rows.Add([queue, role, depth?.Messages.ToString() ?? "-", depth?.Consumers.ToString() ?? "-"]);
        }
        var table = TextTable.Format(["QUEUE", "ROLE", "MESSAGES", "CONSUMERS"], rows);
        return connector.IsOpen ? AdminResponse.Ok(header + table) : AdminResponse.Failed(header + table);
    }

    private string Lags()
    {
        var lags = conductors.Conductors(DateTimeOffset.UtcNow).Select(c => $"{c.Conductor} {c.Lag.TotalSeconds:0.0} s").ToList();
        return lags.Count > 0 ? string.Join(", ", lags) : "(none heard of)";
    }
}
