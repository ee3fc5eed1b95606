using System.Text.Json;

namespace Trove.Contracts.Guests;

/// <summary>The guest_info.json file: one serialization whether LocalCompute, cloud-init or a config drive wrote it.</summary>
public static class GuestInfoJson
{
    public static string Serialize(GuestInfo info) => JsonSerializer.Serialize(info, ContractsJson.Plain.Info<GuestInfo>());

    /// <summary>The guest info in <paramref name="json"/>; <paramref name="source"/> names where it came from in errors.</summary>
    public static GuestInfo Deserialize(string json, string source) =>
        JsonSerializer.Deserialize(json, ContractsJson.Plain.Info<GuestInfo>()) ?? throw new InvalidDataException($"{source} holds no guest info");

    public static GuestInfo Read(string path) => Deserialize(File.ReadAllText(path), path);
}
