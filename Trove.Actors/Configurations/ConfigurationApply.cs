using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;

namespace Trove.Actors.Configurations;

/// <summary>What an instance is told to apply a group: the group's values as the engine's overrides, whether one of
/// them needs a restart, and the group's revision.</summary>
public static class ConfigurationApply
{
    public static async Task<InstanceCommands.AttachConfiguration> AttachAsync(ConfigurationRepository repository, InstanceState instance,
        ConfigurationRow row, CancellationToken ct = default)
    {
        var group = await GroupAsync(repository, row, ct);
        return new InstanceCommands.AttachConfiguration(instance.Id, instance.TenantId, group.Id, group.Overrides, group.RestartRequired, group.Revision);
    }

    /// <summary>A group's row as an instance applies it.</summary>
    public static async Task<ConfigurationGroup> GroupAsync(ConfigurationRepository repository, ConfigurationRow row, CancellationToken ct = default)
    {
        var rules = await repository.RulesAsync(row.Datastore, row.DatastoreVersion, ct);
        var values = ValuesOf(row);
        // A rule an admin took away from the version after the group was made: its value goes as the group holds it.
        var overrides = values.ToDictionary(v => v.Key, v => rules.FirstOrDefault(r => r.Name == v.Key) is { } rule
            ? rule.Check(JsonNode.Parse(v.Value.GetRawText())).Value!
            : v.Value.ToString());
        return new ConfigurationGroup(row.Id, row.Datastore, row.DatastoreVersion, overrides, NeedsRestart(values, rules), row.UpdatedTicks);
    }

    public static bool NeedsRestart(IReadOnlyDictionary<string, JsonElement> values, IReadOnlyList<ParameterRule> rules) =>
        values.Keys.Any(k => rules.FirstOrDefault(r => r.Name == k)?.RestartRequired == true);

    public static Dictionary<string, JsonElement> ValuesOf(ConfigurationRow row) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(row.ValuesJson) ?? [];

    /// <summary>The tenant's live instances attached to a group, as the read model shows them.</summary>
    public static async Task<List<InstanceState>> AttachedAsync(ReadModelDb readModel, string tenantId, string configurationId) =>
        AttachedTo(await readModel.AllAsync<InstanceState>(InstanceRegistration.TypeName, tenantId), configurationId);

    public static List<InstanceState> AttachedTo(IEnumerable<InstanceState> instances, string configurationId) =>
        instances.Where(i => i.ConfigurationId == configurationId).ToList();

    /// <summary>Whether an instance attached to the group still lacks its latest values. An instance attached before
    /// revisions were kept (null) is taken to have them: it is not sent them again on upgrade.</summary>
    public static bool Behind(InstanceState instance, ConfigurationRow group) =>
        instance is { IsDeleted: false } && instance.ConfigurationId == group.Id
        && instance.ConfigurationRevision is { } revision && revision < group.UpdatedTicks;
}
