using System.Text.Json.Nodes;

namespace Trove.Actors.Compute.OpenStack;

/// <summary>A Cinder volume as <c>GET /volumes/{id}</c> shows it.</summary>
public sealed record CinderVolume(string Id, string Name, string Status, int SizeGb, IReadOnlyList<string> AttachedTo)
{
    public static CinderVolume Parse(JsonNode volume) => new(
        (string)volume["id"]!, (string?)volume["name"] ?? "", (string)volume["status"]!, (int)volume["size"]!,
        volume["attachments"]?.AsArray().Select(a => (string)a!["server_id"]!).ToList() ?? []);
}

/// <summary>Cinder's block storage API (v3 at microversion 3.42, the first that extends an attached volume).</summary>
internal sealed class CinderVolumes(KeystoneSession cloud, NovaComputeSettings settings)
{
    private readonly OpenStackCalls _cinder = new(cloud, "volumev3", "OpenStack-API-Version", "volume 3.42");

    public async Task<CinderVolume?> GetAsync(string id, CancellationToken ct) =>
        await _cinder.GetOrNullAsync($"volumes/{Uri.EscapeDataString(id)}", ct) is { } body ? CinderVolume.Parse(body["volume"]!) : null;

    /// <summary>The volume of that exact name (the oldest, should a failure ever have made two).</summary>
    public async Task<CinderVolume?> FindByNameAsync(string name, CancellationToken ct) =>
        (await _cinder.CallAsync(HttpMethod.Get, $"volumes/detail?name={Uri.EscapeDataString(name)}&sort=created_at:asc", null, ct))!["volumes"]!
        .AsArray().Select(v => CinderVolume.Parse(v!)).FirstOrDefault(v => v.Name == name);

    public async Task<string> CreateAsync(string name, int sizeGb, CancellationToken ct)
    {
        var volume = new JsonObject { ["name"] = name, ["size"] = sizeGb };
        if (settings.VolumeType is { Length: > 0 } type)
            volume["volume_type"] = type;
        return (string)(await _cinder.CallAsync(HttpMethod.Post, "volumes", new JsonObject { ["volume"] = volume }, ct))!["volume"]!["id"]!;
    }

    public Task ExtendAsync(string id, int sizeGb, CancellationToken ct) =>
        _cinder.CallAsync(HttpMethod.Post, $"volumes/{Uri.EscapeDataString(id)}/action",
            new JsonObject { ["os-extend"] = new JsonObject { ["new_size"] = sizeGb } }, ct);

    /// <summary>Asks Cinder to delete the volume; one already gone is fine.</summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        try
        {
            await _cinder.CallAsync(HttpMethod.Delete, $"volumes/{Uri.EscapeDataString(id)}", null, ct);
        }
        catch (CloudFault fault) when (fault.IsNotFound)
        {
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds for the volume (null: until it is gone); a volume in an
    /// error state is a <see cref="CloudFault"/>.</summary>
    public Task<CinderVolume> WaitAsync(string id, string what, Func<CinderVolume?, bool> done, CancellationToken ct) =>
        OpenStackCalls.PollAsync<CinderVolume>(async c =>
        {
            var volume = await GetAsync(id, c);
            if (volume?.Status.StartsWith("error", StringComparison.Ordinal) == true)
                throw new CloudFault(0, $"Volume {id} went to {volume.Status} (see Cinder's messages for the volume).");
            return (done(volume) ? volume ?? new CinderVolume(id, "", "deleted", 0, []) : null, volume?.Status ?? "gone");
        }, $"volume {id}: {what}", settings.PollInterval, settings.BuildTimeout, ct);
}
