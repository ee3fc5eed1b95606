using System.Text.Json;
using System.Text.Json.Serialization;
using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

/// <summary>The server's volume size and memory: from guest_info at first, then from each resize, kept in limits.json.</summary>
public sealed class ServerLimits(string path, int volumeSize, int ramMb)
{
    internal sealed record Saved(int VolumeSize, int RamMb);

    public int VolumeSize { get; private set; } = volumeSize;
    public int RamMb { get; private set; } = ramMb;

    public static ServerLimits Load(GuestInfo info)
    {
        var path = Path.Combine(info.Directory, "limits.json");
        return File.Exists(path) && JsonSerializer.Deserialize(File.ReadAllText(path), ServerLimitsJson.Default.Saved) is { } saved
            ? new ServerLimits(path, saved.VolumeSize, saved.RamMb)
            : new ServerLimits(path, info.VolumeSize, info.RamMb);
    }

    public async Task SaveAsync(int volumeSize, int ramMb)
    {
        (VolumeSize, RamMb) = (volumeSize, ramMb);
        var tmp = path + ".tmp";
        await File.WriteAllTextAsync(tmp, JsonSerializer.Serialize(new Saved(volumeSize, ramMb), ServerLimitsJson.Default.Saved));
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>limits.json, in the serializer's plain defaults (as the guests before Native AOT wrote it).</summary>
[JsonSerializable(typeof(ServerLimits.Saved))]
internal sealed partial class ServerLimitsJson : JsonSerializerContext;
