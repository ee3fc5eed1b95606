using System.Text.Json.Nodes;
using Trove.Actors.Instances;

namespace Trove.Web.Views;

/// <summary>Upstream's instance views: the list view, and the detail view that show and create answer with.</summary>
public static class InstanceView
{
    public const string Region = "RegionOne";

    public static JsonObject Summary(InstanceState s, HttpRequest request)
    {
        var view = new JsonObject
        {
            ["id"] = s.Id,
            ["name"] = s.Name,
            ["status"] = s.Status,
            ["operating_status"] = s.OperatingStatus,
            ["links"] = Links.For(request, s.TenantId, "instances", s.Id),
            ["flavor"] = new JsonObject
            {
                ["id"] = s.FlavorId,
                ["links"] = Links.For(request, s.TenantId, "flavors", s.FlavorId),
            },
            ["datastore"] = new JsonObject { ["type"] = s.Datastore, ["version"] = s.DatastoreVersion },
            ["region"] = Region,
            ["access"] = AccessOf(s),
            ["volume"] = new JsonObject { ["size"] = s.VolumeSize },
        };
        if (s.ReplicaOf is { } sourceId)
            view["replica_of"] = Reference(s, sourceId, request);
        if (s.ReplicaIds.Count > 0)
            view["replicas"] = new JsonArray(s.ReplicaIds.Select(id => (JsonNode)Reference(s, id, request)).ToArray());
        if (s.Address is { Length: > 0 }) // a cloud server on no network has none
        {
            view["ip"] = new JsonArray(s.Address);
            view["addresses"] = new JsonArray(new JsonObject
            {
                ["address"] = s.Address, ["type"] = "private", ["port"] = s.Port,
            });
        }
        return view;
    }

    /// <summary>The detail view; <paramref name="configurationName"/> is the attached group's name, read from its SQL row
    /// (the instance's state knows only its id; a rename of the group shows at once). <paramref name="replicationLag"/>: ours,
    /// a replica's seconds behind its source as its last heartbeat said, shown as <c>replication_lag</c>.</summary>
    public static JsonObject Detail(InstanceState s, HttpRequest request, double? volumeUsed = null, string? configurationName = null,
        double? replicationLag = null)
    {
        var view = Summary(s, request);
        if (volumeUsed is { } used)
            view["volume"]!["used"] = used;
        if (replicationLag is { } lag)
            view["replication_lag"] = lag;
        view["created"] = Timestamp(s.Created);
        view["updated"] = Timestamp(s.Updated);
        view["service_status_updated"] = Timestamp(s.ServiceStatusUpdated);
        view["datastore"]!["version_number"] = s.DatastoreVersion; // the catalog names its versions by their number
        if (s.ShownFault is var (message, at))
            view["fault"] = new JsonObject { ["message"] = message, ["created"] = Timestamp(at), ["details"] = message };
        if (s.ConfigurationId is { } configurationId)
            view["configuration"] = new JsonObject
            {
                ["id"] = configurationId,
                ["name"] = configurationName,
                ["links"] = Links.For(request, s.TenantId, "configurations", configurationId),
            };
        return view;
    }

    /// <summary>Another instance of the tenant, as upstream's replica_of and replicas show it.</summary>
    private static JsonObject Reference(InstanceState s, string id, HttpRequest request) =>
        new() { ["id"] = id, ["links"] = Links.For(request, s.TenantId, "instances", id) };

    /// <summary>As upstream: the access given at create or changed since, else whether the instance has a public address
    /// (a local server never has).</summary>
    private static JsonObject AccessOf(InstanceState s) => s.Access is { } access
        ? new JsonObject { ["is_public"] = access.IsPublic, ["allowed_cidrs"] = new JsonArray(access.AllowedCidrs.Select(c => (JsonNode)c!).ToArray()) }
        : new JsonObject { ["is_public"] = false };

    /// <summary>Upstream's timestamps: UTC, seconds, no zone suffix.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss");
}
