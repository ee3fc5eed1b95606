namespace Trove.Actors.Catalog;

/// <summary>Looks up flavors and datastores by id or name, as the API's references allow.</summary>
public sealed class CatalogService(CatalogSettings settings)
{
    public CatalogSettings Settings => settings;
    public IReadOnlyList<Flavor> Flavors => settings.Flavors;
    public IReadOnlyList<Datastore> Datastores => settings.Datastores;

    /// <summary>A flavor by id, name, or a link ending in its id.</summary>
    public Flavor? FindFlavor(string reference)
    {
        var key = reference.TrimEnd('/').Split('/')[^1];
        return settings.Flavors.FirstOrDefault(f => f.Id == key) ?? settings.Flavors.FirstOrDefault(f => f.Name == key);
    }

    public Datastore? FindDatastore(string reference) =>
        settings.Datastores.FirstOrDefault(d => d.Id == reference) ?? settings.Datastores.FirstOrDefault(d => d.Type == reference);

    public static DatastoreVersion? FindVersion(Datastore datastore, string reference) =>
        datastore.Versions.FirstOrDefault(v => v.Id == reference) ?? datastore.Versions.FirstOrDefault(v => v.Name == reference);
}
