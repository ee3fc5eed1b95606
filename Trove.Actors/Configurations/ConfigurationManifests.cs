namespace Trove.Actors.Configurations;

/// <summary>The serializer manifests of the configuration roll-out's messages, which cross from an API node to the
/// singleton on a worker. A manifest, once used, is never changed or reused.</summary>
public static class ConfigurationManifests
{
    public static IReadOnlyDictionary<string, Type> All { get; } = new Dictionary<string, Type>
    {
        ["configuration.roll"] = typeof(ConfigurationRollout.Roll),
        ["configuration.rolled-out"] = typeof(ConfigurationRollout.RolledOut),
    };
}
