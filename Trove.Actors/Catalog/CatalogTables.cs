using LinqToDB.Mapping;

namespace Trove.Actors.Catalog;

[Table("flavors")]
public sealed class FlavorRow
{
    [PrimaryKey, Column("id", Length = 64)] public string Id { get; set; } = "";
    [Column("name", Length = 255), NotNull] public string Name { get; set; } = "";
    [Column("ram")] public int Ram { get; set; }
    [Column("vcpus")] public int Vcpus { get; set; }
    [Column("disk")] public int Disk { get; set; }
}

[Table("datastores")]
public sealed class DatastoreRow
{
    [PrimaryKey, Column("id", Length = 64)] public string Id { get; set; } = "";
    [Column("name", Length = 255), NotNull] public string Name { get; set; } = "";
    [Column("default_version", Length = 255), Nullable] public string? DefaultVersion { get; set; }
}

[Table("datastore_versions")]
public sealed class DatastoreVersionRow
{
    [PrimaryKey, Column("id", Length = 64)] public string Id { get; set; } = "";
    [Column("datastore_id", Length = 64), NotNull] public string DatastoreId { get; set; } = "";
    [Column("name", Length = 255), NotNull] public string Name { get; set; } = "";
    [Column("active")] public bool Active { get; set; }
}
