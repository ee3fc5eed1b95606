using Trove.Contracts.Datastores;

namespace Trove.Actors.Catalog;

/// <summary>A Nova flavor, as upstream's flavor view shows it.</summary>
public sealed record Flavor(string Id, string Name, int Ram, int Vcpus, int Disk);

public sealed record DatastoreVersion(string Id, string Name, bool Active = true);

/// <summary>A datastore with its versions; <see cref="Type"/> names the guest manager that runs it, and its
/// <see cref="DatastoreProfile"/>.</summary>
public sealed record Datastore(string Id, string Type, string DefaultVersion, IReadOnlyList<DatastoreVersion> Versions);

/// <summary>The catalog a node serves: from configuration, with defaults for one machine.</summary>
public sealed record CatalogSettings
{
    public IReadOnlyList<Flavor> Flavors { get; init; } =
    [
        new("small", "small", 512, 1, 2),
        new("medium", "medium", 1024, 1, 5),
        new("large", "large", 2048, 2, 10),
    ];

    public IReadOnlyList<Datastore> Datastores { get; init; } =
    [
        new("5a2d7c32-1e6b-4c52-9f0e-4b9b5b6c1a01", DatastoreProfiles.Postgres.Name, "15",
            [new DatastoreVersion("0c5d8e1f-3a7b-4d3e-8c6f-2b1a9e8d7c02", "15")]),
        new("9b7e2f41-6c3d-4a8e-b1f2-7d5c3e9a0b11", DatastoreProfiles.MariaDb.Name, "10.11",
            [new DatastoreVersion("3e8f1a2b-5d4c-4e7f-9a6b-1c2d3e4f5a12", "10.11")]),
    ];

    public string DefaultDatastore { get; init; } = DatastoreProfiles.Postgres.Name;

    /// <summary>Upstream's max_accepted_volume_size, in GB.</summary>
    public int MaxVolumeSize { get; init; } = 10;
}
