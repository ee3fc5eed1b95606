using Trove.Actors.Instances;

namespace Trove.Actors.Configurations;

/// <summary>The groups an instance entity attaches, read from SQL.</summary>
public sealed class ConfigurationGroups(ConfigurationRepository repository) : IConfigurationGroups
{
    public async Task<ConfigurationGroup?> FindAsync(string tenantId, string configurationId, CancellationToken ct = default) =>
        await repository.GetAsync(tenantId, configurationId, ct) is { } row ? await ConfigurationApply.GroupAsync(repository, row, ct) : null;
}
