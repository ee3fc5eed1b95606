using System.Collections.Frozen;

namespace Trove.Actors.Serialization;

/// <summary>The manifests of every message family, looked up both ways; a manifest or a type declared twice is refused
/// when the table is made, so a family cannot take another's manifest.</summary>
public sealed class ManifestTable
{
    private readonly FrozenDictionary<string, Type> _typesByManifest;
    private readonly FrozenDictionary<Type, string> _manifestsByType;

    public ManifestTable(params IReadOnlyDictionary<string, Type>[] families)
    {
        var byManifest = new Dictionary<string, Type>();
        var byType = new Dictionary<Type, string>();
        foreach (var (manifest, type) in families.SelectMany(f => f))
        {
            if (!byManifest.TryAdd(manifest, type))
                throw new ArgumentException($"manifest '{manifest}' is declared twice");
            if (!byType.TryAdd(type, manifest))
                throw new ArgumentException($"{type} has two manifests, '{byType[type]}' and '{manifest}'");
        }
        _typesByManifest = byManifest.ToFrozenDictionary();
        _manifestsByType = byType.ToFrozenDictionary();
    }

    public bool TryGetType(string manifest, out Type type) => _typesByManifest.TryGetValue(manifest, out type!);

    public bool TryGetManifest(Type type, out string manifest) => _manifestsByType.TryGetValue(type, out manifest!);

    public IEnumerable<Type> Types => _typesByManifest.Values;
}
