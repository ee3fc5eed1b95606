using LinqToDB.Mapping;

namespace Trove.Actors.Configurations;

[Table("config_parameters")]
public sealed class ParameterRuleRow
{
    [PrimaryKey(0), Column("datastore", Length = 64)] public string Datastore { get; set; } = "";
    [PrimaryKey(1), Column("name", Length = 128)] public string Name { get; set; } = "";
    [Column("type", Length = 16), NotNull] public string Type { get; set; } = "";
    [Column("min"), Nullable] public double? Min { get; set; }
    [Column("max"), Nullable] public double? Max { get; set; }
    [Column("restart_required")] public bool RestartRequired { get; set; }
}

/// <summary>An admin's rule for one datastore version (upstream's mgmt configuration parameters): it replaces the datastore's
/// rule of that name, adds one, or (<see cref="Removed"/>) takes it away for that version. The rules files never touch it.</summary>
[Table("config_parameter_overrides")]
public sealed class ParameterOverrideRow
{
    [PrimaryKey(0), Column("datastore", Length = 64)] public string Datastore { get; set; } = "";
    [PrimaryKey(1), Column("datastore_version", Length = 64)] public string DatastoreVersion { get; set; } = "";
    [PrimaryKey(2), Column("name", Length = 128)] public string Name { get; set; } = "";
    [Column("type", Length = 16), NotNull] public string Type { get; set; } = "";
    [Column("min"), Nullable] public double? Min { get; set; }
    [Column("max"), Nullable] public double? Max { get; set; }
    [Column("restart_required")] public bool RestartRequired { get; set; }
    [Column("removed")] public bool Removed { get; set; }
}

/// <summary>A tenant's configuration group: validated values for one datastore version.</summary>
[Table("configurations")]
public sealed class ConfigurationRow
{
    [PrimaryKey, Column("id", Length = 64)] public string Id { get; set; } = "";
    [Column("tenant_id", Length = 255), NotNull] public string TenantId { get; set; } = "";
    [Column("name", Length = 255), NotNull] public string Name { get; set; } = "";
    [Column("description", Length = 1024), Nullable] public string? Description { get; set; }
    [Column("datastore", Length = 64), NotNull] public string Datastore { get; set; } = "";
    [Column("datastore_version", Length = 64), NotNull] public string DatastoreVersion { get; set; } = "";
    [Column("values_json"), NotNull] public string ValuesJson { get; set; } = "{}";
    [Column("created_ticks")] public long CreatedTicks { get; set; }
    [Column("updated_ticks")] public long UpdatedTicks { get; set; }
}
