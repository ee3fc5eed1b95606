using Trove.Actors.Sharding;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Hosting;
using Trove.Actors.Instances;
using Trove.Contracts.Admin;

namespace Trove.Actors.Admin;

/// <summary><c>instance show ID</c>: the instance entity's state as the actor holds it (it is woken if passivated).</summary>
public sealed class InstanceAdminCommands(IRequiredActor<InstanceRegion> instances) : IAdminCommandSet
{
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    public IEnumerable<AdminCommand> Commands =>
    [
        new("instance show", ["ID"], "an instance entity's state, node and running work", (a, _) => Show(a[0])),
    ];

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
