using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Trove.Actors.Serialization;

/// <summary>
/// JSON for every <see cref="ITroveMessage"/>, under stable string manifests that each message family declares next to
/// its messages: stored events and messages between nodes of different versions keep their meaning across renames.
/// </summary>
public sealed class TroveSerializer(ExtendedActorSystem system, ManifestTable manifests) : SerializerWithStringManifest(system)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public override int Identifier => 4711;

    public override string Manifest(object o) =>
        manifests.TryGetManifest(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"{o.GetType()} has no manifest in its family's table");

    public override byte[] ToBinary(object obj) => obj is Asked asked
        ? JsonSerializer.SerializeToUtf8Bytes(new AskedJson(Manifest(asked.Message), JsonSerializer.SerializeToElement(asked.Message, asked.Message.GetType(), Json),
            asked.User, asked.TraceParent), Json)
        : JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!manifests.TryGetType(manifest, out var type))
            throw new SerializationException($"unknown manifest '{manifest}'");
        if (type != typeof(Asked))
            return JsonSerializer.Deserialize(bytes, type, Json)!;
        var asked = JsonSerializer.Deserialize<AskedJson>(bytes, Json)!;
        return new Asked(manifests.TryGetType(asked.Manifest, out var inner)
            ? asked.Message.Deserialize(inner, Json)!
            : throw new SerializationException($"unknown manifest '{asked.Manifest}' in an envelope"), asked.User, asked.TraceParent);
    }

    /// <summary>An <see cref="Asked"/> envelope: its message under the message's own manifest.</summary>
    private sealed record AskedJson(string Manifest, JsonElement Message, string? User, string? TraceParent);
}
