namespace Trove.Actors.Catalog;

/// <summary>The catalog as one request sees it: flavors and datastores, looked up by id or name as the API's references allow.</summary>
public sealed record CatalogService(IReadOnlyList<Flavor> Flavors, IReadOnlyList<Datastore> Datastores, CatalogSettings Settings)
{
    /// <summary>A flavor by id, name, or a link ending in its id.</summary>
    public Flavor? FindFlavor(string reference)
    {
        var key = reference.TrimEnd('/').Split('/')[^1];
        return Flavors.FirstOrDefault(f => f.Id == key) ?? Flavors.FirstOrDefault(f => f.Name == key);
    }

    public Datastore? FindDatastore(string reference) =>
        Datastores.FirstOrDefault(d => d.Id == reference) ?? Datastores.FirstOrDefault(d => d.Type == reference);

    /// <summary>The catalog's id of a datastore's version named by its type and name, null once it is gone from the catalog.</summary>
    public string? VersionIdOf(string datastore, string version) =>
        FindDatastore(datastore) is { } found ? FindVersion(found, version)?.Id : null;

    /// <summary>A version by its catalog id, with its datastore.</summary>
    public (Datastore Datastore, DatastoreVersion Version)? FindVersionById(string id) =>
        Datastores.SelectMany(d => d.Versions.Where(v => v.Id == id).Select(v => (d, v))).FirstOrDefault() is ({ } d, { } v) ? (d, v) : null;

    public static DatastoreVersion? FindVersion(Datastore datastore, string reference) =>
        datastore.Versions.FirstOrDefault(v => v.Id == reference) ?? datastore.Versions.FirstOrDefault(v => v.Name == reference);
}
