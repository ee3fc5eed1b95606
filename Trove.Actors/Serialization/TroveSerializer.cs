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

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    public override object FromBinary(byte[] bytes, string manifest) =>
        manifests.TryGetType(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, Json)!
            : throw new SerializationException($"unknown manifest '{manifest}'");
}
