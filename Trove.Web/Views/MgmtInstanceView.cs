using System.Text.Json.Nodes;
using Trove.Actors.Instances;

namespace Trove.Web.Views;

/// <summary>Upstream's mgmt instance views (trove/extensions/mgmt/instances/views.py): the tenant's detail view plus the
/// server, the owner, deletion and the task; the detail (show) adds the server's addresses, the volume and the guest's status.</summary>
public static class MgmtInstanceView
{
    /// <summary>A list's entry (upstream's MgmtInstanceView).</summary>
    public static JsonObject Summary(InstanceState s, HttpRequest request)
    {
        var view = InstanceView.Detail(s, request);
        view["server"] = s.ServerId is null ? null : new JsonObject
        {
            ["id"] = s.ServerId,
            ["name"] = s.Name,
            ["status"] = s.IsDeleted ? "DELETED" : "ACTIVE",
            ["tenant_id"] = s.TenantId,
        };
        view["server_id"] = s.ServerId ?? s.AcceptedServerId; // upstream's detail view for an admin
        view["volume_id"] = s.VolumeId ?? s.ServerId; // a local server's volume is its directory, named as the server is
        view["service_status"] = InstanceState.ServiceStatusApi(s.ServiceStatus);
        view["tenant_id"] = s.TenantId;
        view["deleted"] = s.IsDeleted;
        view["deleted_at"] = s.IsDeleted ? InstanceView.Timestamp(s.Updated) : null;
        view["task_description"] = TaskDescription(s.Task);
        return view;
    }

    /// <summary>One instance (upstream's MgmtInstanceDetailView); <paramref name="host"/> is the node its entity runs on.</summary>
    public static JsonObject Detail(InstanceState s, HttpRequest request, string host, double? volumeUsed)
    {
        var view = Summary(s, request);
        if (view["server"] is JsonObject server)
        {
            server["host"] = host;
            server["addresses"] = view["addresses"]?.DeepClone() ?? new JsonArray();
        }
        view["volume"] = new JsonObject
        {
            ["id"] = s.VolumeId ?? s.ServerId,
            ["size"] = s.VolumeSize,
            ["status"] = s.IsDeleted ? "deleted" : "in-use",
            ["used"] = volumeUsed,
            ["total"] = s.VolumeSize,
        };
        view["guest_status"] = new JsonObject { ["state_description"] = s.ServiceStatus };
        return view;
    }

    /// <summary>Upstream's InstanceTasks descriptions of the tasks this control plane runs.</summary>
    public static string TaskDescription(InstanceTask task) => task switch
    {
        InstanceTask.Building => "The instance is building.",
        InstanceTask.BuildError => "Build error: Server.",
        InstanceTask.Rebooting => "The instance is rebooting.",
        InstanceTask.Resizing => "Resizing the instance.",
        InstanceTask.Deleting => "Deleting the instance.",
        _ => "No tasks for the instance.",
    };
}
