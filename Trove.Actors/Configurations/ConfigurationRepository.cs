using System.Text.Json;
using LinqToDB;
using LinqToDB.Async;
using Trove.Actors.Sql;

namespace Trove.Actors.Configurations;

/// <summary>Configuration groups and the parameter rules that validate them, in SQL (Linq2Db).</summary>
public sealed class ConfigurationRepository(SqlDatabase database)
{
    /// <summary>Creates the tables and loads every validation-rules file of <paramref name="rulesDirectory"/> (replacing older rules).</summary>
    public async Task EnsureSeededAsync(string rulesDirectory, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await db.CreateTableAsync<ParameterRuleRow>(tableOptions: TableOptions.CreateIfNotExists, token: ct);
        await db.CreateTableAsync<ConfigurationRow>(tableOptions: TableOptions.CreateIfNotExists, token: ct);
        await db.CreateTableAsync<ParameterOverrideRow>(tableOptions: TableOptions.CreateIfNotExists, token: ct);
        if (!Directory.Exists(rulesDirectory))
            return;
        foreach (var file in Directory.EnumerateFiles(rulesDirectory, "*.json"))
        {
            var rules = JsonSerializer.Deserialize<ValidationRulesFile>(await File.ReadAllTextAsync(file, ct))
                        ?? throw new InvalidDataException($"{file} holds no rules");
            foreach (var p in rules.Parameters)
                await db.InsertOrReplaceAsync(new ParameterRuleRow
                {
                    Datastore = rules.Datastore, Name = p.Name, Type = p.Type, Min = p.Min, Max = p.Max, RestartRequired = p.RestartRequired,
                }, token: ct);
        }
    }

    /// <summary>The datastore's rules, as an admin changed them for <paramref name="version"/> (its name) when one is given.</summary>
    public async Task<IReadOnlyList<ParameterRule>> RulesAsync(string datastore, string? version = null, CancellationToken ct = default)
    {
        await using var db = database.Open();
        var rules = (await db.GetTable<ParameterRuleRow>().Where(r => r.Datastore == datastore).ToListAsync(ct))
            .ToDictionary(r => r.Name, r => new ParameterRule(r.Name, r.Type, r.Min, r.Max, r.RestartRequired));
        if (version is not null)
            foreach (var o in await db.GetTable<ParameterOverrideRow>().Where(o => o.Datastore == datastore && o.DatastoreVersion == version).ToListAsync(ct))
                if (o.Removed)
                    rules.Remove(o.Name);
                else
                    rules[o.Name] = new ParameterRule(o.Name, o.Type, o.Min, o.Max, o.RestartRequired);
        return rules.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Sets a version's rule (added, or replacing the datastore's of that name).</summary>
    public async Task SetVersionRuleAsync(string datastore, string version, ParameterRule rule, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await db.InsertOrReplaceAsync(new ParameterOverrideRow
        {
            Datastore = datastore, DatastoreVersion = version, Name = rule.Name, Type = rule.Type, Min = rule.Min, Max = rule.Max,
            RestartRequired = rule.RestartRequired,
        }, token: ct);
    }

    /// <summary>Takes a rule away from a version (the datastore's of that name no longer applies to it either).</summary>
    public async Task RemoveVersionRuleAsync(string datastore, string version, string name, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await db.InsertOrReplaceAsync(new ParameterOverrideRow
        {
            Datastore = datastore, DatastoreVersion = version, Name = name, Type = "string", Removed = true,
        }, token: ct);
    }

    /// <summary>Forgets every rule an admin set for a version (the version is gone).</summary>
    public async Task ForgetVersionRulesAsync(string datastore, string version, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await db.GetTable<ParameterOverrideRow>().Where(o => o.Datastore == datastore && o.DatastoreVersion == version).DeleteAsync(ct);
    }

    public async Task InsertAsync(ConfigurationRow row, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await db.InsertAsync(row, token: ct);
    }

    public async Task<ConfigurationRow?> GetAsync(string tenantId, string id, CancellationToken ct = default)
    {
        await using var db = database.Open();
        return await db.GetTable<ConfigurationRow>().FirstOrDefaultAsync(r => r.Id == id && r.TenantId == tenantId, ct);
    }

    public async Task<IReadOnlyList<ConfigurationRow>> ListAsync(string tenantId, CancellationToken ct = default)
    {
        await using var db = database.Open();
        return await db.GetTable<ConfigurationRow>().Where(r => r.TenantId == tenantId).OrderBy(r => r.Name).ThenBy(r => r.Id).ToListAsync(ct);
    }

    /// <summary>Every tenant's groups, for the roll-out's sweep.</summary>
    public async Task<IReadOnlyList<ConfigurationRow>> AllAsync(CancellationToken ct = default)
    {
        await using var db = database.Open();
        return await db.GetTable<ConfigurationRow>().ToListAsync(ct);
    }

    public async Task UpdateValuesAsync(string id, IReadOnlyDictionary<string, JsonElement> values, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await db.GetTable<ConfigurationRow>().Where(r => r.Id == id)
            .Set(r => r.ValuesJson, JsonSerializer.Serialize(values))
            .Set(r => r.UpdatedTicks, DateTimeOffset.UtcNow.UtcTicks)
            .UpdateAsync(ct);
    }

    public async Task DeleteAsync(string id, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await db.GetTable<ConfigurationRow>().Where(r => r.Id == id).DeleteAsync(ct);
    }
}
