using Trove.Actors.Sharding;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Tenants;
using Trove.Contracts.Admin;

namespace Trove.Actors.Admin;

/// <summary><c>instance show ID</c>: the instance entity's state as the actor holds it (it is woken if passivated);
/// <c>instance list --all-tenants</c>: every tenant's live instances, as the read model lists them; <c>guest ping ID</c>:
/// whether the instance's guest answers a call (upstream's mgmt rpc_ping, through the instance entity).</summary>
public sealed class InstanceAdminCommands(IRequiredActor<InstanceRegion> instances, ReadModelDb readModel) : IAdminCommandSet
{
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public IEnumerable<AdminCommand> Commands =>
    [
        new("instance show", ["ID"], "an instance entity's state, node and running work", (a, _) => Show(a[0])),
        new("instance list --all-tenants", [], "every tenant's live instances, newest first (the read model's)", (_, ct) => ListAllTenants(ct)),
        new("guest ping", ["ID"], "whether an instance's guest answers a call (rpc_ping through its entity)", (a, _) => Ping(a[0])),
    ];

    private async Task<AdminResponse> Ping(string id)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        return await instances.ActorRef.AskEntityAsync<InstanceReply>(new InstanceCommands.PingGuest(id, AnyTenant.Id), AdminCommands.AskTimeout) switch
        {
            InstanceReplies.GuestDone => AdminResponse.Ok($"guest of instance {id} answered in {started.ElapsedMilliseconds} ms\n"),
            InstanceReplies.NotFound => AdminResponse.Failed($"no instance {id}\n"),
            InstanceReplies.Refused refused => AdminResponse.Failed($"{refused.Message}\n"),
            InstanceReplies.GuestFailed failed => AdminResponse.Failed($"guest of instance {id} did not answer: {failed.Message}\n"),
            var other => AdminResponse.Failed($"unexpected reply {other.GetType().Name}\n"),
        };
    }

    private async Task<AdminResponse> ListAllTenants(CancellationToken ct)
    {
        var all = await readModel.AllTenantsAsync<InstanceState>(InstanceRegistration.TypeName, ct);
        return AdminResponse.Ok(TextTable.Format(["ID", "TENANT", "NAME", "DATASTORE", "STATUS"],
            all.Select(s => (IReadOnlyList<string>)[s.Id, s.TenantId, s.Name, $"{s.Datastore} {s.DatastoreVersion}", s.Status])));
    }

    private async Task<AdminResponse> Show(string id)
    {
        var inspected = await instances.ActorRef.AskEntityAsync<InstanceReplies.Inspected>(new InstanceCommands.Inspect(id), AdminCommands.AskTimeout);
        if (inspected.State is null)
            return AdminResponse.Failed($"no instance {id}\n");
        var view = new
        {
            node = inspected.Node,
            running = inspected.Children,
            volume_used = inspected.VolumeUsed,
            state = inspected.State,
        };
        return AdminResponse.Ok(JsonSerializer.Serialize(view, Indented) + "\n");
    }
}
