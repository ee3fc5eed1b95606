using LinqToDB.Mapping;

namespace Trove.Actors.ReadModel;

/// <summary>One entity (an instance, a backup) as the list endpoints read it: its state, kept by its kind's projection.</summary>
[Table("entity_view")]
public sealed class EntityRow
{
    [PrimaryKey(0), Column("kind", Length = 32)] public string Kind { get; set; } = "";
    [PrimaryKey(1), Column("id", Length = 64)] public string Id { get; set; } = "";
    [Column("tenant_id", Length = 255), NotNull] public string TenantId { get; set; } = "";
    [Column("created_ticks")] public long CreatedTicks { get; set; }
    [Column("deleted")] public bool Deleted { get; set; }
    [Column("busy")] public bool Busy { get; set; }
    [Column("state"), NotNull] public string State { get; set; } = "";
    /// <summary>The sequence number of the entity's last event the state holds: a row is only ever replaced by a newer one.</summary>
    [Column("seq")] public long Seq { get; set; }
}

/// <summary>How far a projection has read its tag, so it resumes there after a restart.</summary>
[Table("projection_offset")]
public sealed class ProjectionOffsetRow
{
    [PrimaryKey, Column("name", Length = 64)] public string Name { get; set; } = "";
    [Column("offset")] public long Offset { get; set; }
}
