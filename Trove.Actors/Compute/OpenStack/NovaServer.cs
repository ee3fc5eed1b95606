using System.Text.Json.Nodes;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>A Nova server as <c>GET /servers/{id}</c> shows it (microversion 2.37).</summary>
public sealed record NovaServer(string Id, string Name, string Status, string? TaskState, string FlavorId, string Address,
    IReadOnlyDictionary<string, string> Metadata, string? Fault)
{
    /// <summary>The status with no task under way (a reboot, a resize, a delete leave the status as it was for a while).</summary>
    public bool IsSettledIn(string status) => Status == status && TaskState is null;

    public ServerStatus TroveStatus => Status switch
    {
        "ACTIVE" => ServerStatus.Active,
        "SHUTOFF" or "SUSPENDED" or "PAUSED" or "SHELVED" or "SHELVED_OFFLOADED" => ServerStatus.Shutdown,
        "ERROR" or "UNKNOWN" => ServerStatus.Error,
        _ => ServerStatus.Build, // BUILD, REBOOT, HARD_REBOOT, RESIZE, VERIFY_RESIZE, MIGRATING, REBUILD, ...
    };

    public bool IsGone => Status is "DELETED" or "SOFT_DELETED";

    public static NovaServer Parse(JsonNode server) => new(
        (string)server["id"]!,
        (string?)server["name"] ?? "",
        (string?)server["status"] ?? "",
        (string?)server["OS-EXT-STS:task_state"],
        (string?)server["flavor"]?["id"] ?? "",
        FirstFixedAddress(server["addresses"]),
        server["metadata"]?.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value ?? "") ?? [],
        (string?)server["fault"]?["message"]);

    /// <summary>The first fixed address of the first network (<c>{"net": [{"addr", "OS-EXT-IPS:type"}]}</c>); none: "".</summary>
    private static string FirstFixedAddress(JsonNode? addresses) =>
        addresses?.AsObject().SelectMany(n => n.Value?.AsArray() ?? []).OrderBy(a => (string?)a?["OS-EXT-IPS:type"] == "fixed" ? 0 : 1)
            .Select(a => (string?)a?["addr"]).FirstOrDefault(a => a is not null) ?? "";
}
