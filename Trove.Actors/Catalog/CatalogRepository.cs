using LinqToDB;
using LinqToDB.Async;
using LinqToDB.Data;
using Trove.Actors.Sql;

namespace Trove.Actors.Catalog;

/// <summary>
/// Flavors, datastores and their versions in SQL (Linq2Db). Configuration seeds what is missing at start-up;
/// what an admin changed afterwards is kept.
/// </summary>
public sealed class CatalogRepository(SqlDatabase database, CatalogSettings settings)
{
    public async Task EnsureSeededAsync(CancellationToken ct = default)
    {
        await using var db = database.Open();
        await db.CreateTableAsync<FlavorRow>(tableOptions: TableOptions.CreateIfNotExists, token: ct);
        await db.CreateTableAsync<DatastoreRow>(tableOptions: TableOptions.CreateIfNotExists, token: ct);
        await db.CreateTableAsync<DatastoreVersionRow>(tableOptions: TableOptions.CreateIfNotExists, token: ct);
        foreach (var f in settings.Flavors)
            if (!await db.GetTable<FlavorRow>().AnyAsync(r => r.Id == f.Id, ct))
                await db.InsertAsync(new FlavorRow { Id = f.Id, Name = f.Name, Ram = f.Ram, Vcpus = f.Vcpus, Disk = f.Disk }, token: ct);
        foreach (var d in settings.Datastores)
        {
            if (!await db.GetTable<DatastoreRow>().AnyAsync(r => r.Id == d.Id, ct))
                await db.InsertAsync(new DatastoreRow { Id = d.Id, Name = d.Type, DefaultVersion = d.DefaultVersion }, token: ct);
            foreach (var v in d.Versions)
                if (!await db.GetTable<DatastoreVersionRow>().AnyAsync(r => r.Id == v.Id, ct))
                    await db.InsertAsync(new DatastoreVersionRow { Id = v.Id, DatastoreId = d.Id, Name = v.Name, Active = v.Active }, token: ct);
        }
    }

    /// <summary>Makes the flavors exactly <paramref name="flavors"/> (the cloud's): new ones added, changed ones updated,
    /// the others removed, in one transaction.</summary>
    public async Task ReplaceFlavorsAsync(IReadOnlyList<Flavor> flavors, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await using var tx = await db.BeginTransactionAsync(ct);
        var ids = flavors.Select(f => f.Id).ToList();
        await db.GetTable<FlavorRow>().Where(r => !ids.Contains(r.Id)).DeleteAsync(ct);
        foreach (var f in flavors)
            await db.InsertOrReplaceAsync(new FlavorRow { Id = f.Id, Name = f.Name, Ram = f.Ram, Vcpus = f.Vcpus, Disk = f.Disk }, token: ct);
        await tx.CommitAsync(ct);
    }

    public async Task<CatalogService> LoadAsync(CancellationToken ct = default)
    {
        await using var db = database.Open();
        var flavors = await db.GetTable<FlavorRow>().OrderBy(f => f.Ram).ThenBy(f => f.Id).ToListAsync(ct);
        var datastores = await db.GetTable<DatastoreRow>().OrderBy(d => d.Name).ToListAsync(ct);
        var versions = await db.GetTable<DatastoreVersionRow>().OrderBy(v => v.Name).ToListAsync(ct);
        return new CatalogService(
            flavors.Select(f => new Flavor(f.Id, f.Name, f.Ram, f.Vcpus, f.Disk)).ToList(),
            datastores.Select(d => new Datastore(d.Id, d.Name, d.DefaultVersion ?? "",
                versions.Where(v => v.DatastoreId == d.Id).Select(v => new DatastoreVersion(v.Id, v.Name, v.Active)).ToList())).ToList(),
            settings);
    }

    /// <summary>Adds a version (and its datastore when new); the version's id is returned.</summary>
    public async Task<string> AddVersionAsync(string datastoreName, string versionName, bool active, bool makeDefault, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await using var tx = await db.BeginTransactionAsync(ct);
        var datastore = await db.GetTable<DatastoreRow>().FirstOrDefaultAsync(d => d.Name == datastoreName, ct);
        if (datastore is null)
        {
            datastore = new DatastoreRow { Id = Guid.NewGuid().ToString(), Name = datastoreName, DefaultVersion = versionName };
            await db.InsertAsync(datastore, token: ct);
        }
        if (await db.GetTable<DatastoreVersionRow>().AnyAsync(v => v.DatastoreId == datastore.Id && v.Name == versionName, ct))
            throw new InvalidOperationException($"Datastore version '{versionName}' of '{datastoreName}' already exists.");
        var id = Guid.NewGuid().ToString();
        await db.InsertAsync(new DatastoreVersionRow { Id = id, DatastoreId = datastore.Id, Name = versionName, Active = active }, token: ct);
        if (makeDefault)
            await db.GetTable<DatastoreRow>().Where(d => d.Id == datastore.Id).Set(d => d.DefaultVersion, versionName).UpdateAsync(ct);
        await tx.CommitAsync(ct);
        return id;
    }

    /// <summary>Activates or deactivates a version; false when there is no such version.</summary>
    public async Task<bool> SetVersionActiveAsync(string versionId, bool active, CancellationToken ct = default)
    {
        await using var db = database.Open();
        return await db.GetTable<DatastoreVersionRow>().Where(v => v.Id == versionId).Set(v => v.Active, active).UpdateAsync(ct) > 0;
    }

    /// <summary>Removes a version (the caller checked that nothing uses it); a datastore whose default it was gets another
    /// of its versions as default, or none. False when there is no such version.</summary>
    public async Task<bool> DeleteVersionAsync(string versionId, CancellationToken ct = default)
    {
        await using var db = database.Open();
        await using var tx = await db.BeginTransactionAsync(ct);
        if (await db.GetTable<DatastoreVersionRow>().FirstOrDefaultAsync(v => v.Id == versionId, ct) is not { } version)
            return false;
        await db.GetTable<DatastoreVersionRow>().Where(v => v.Id == versionId).DeleteAsync(ct);
        var next = await db.GetTable<DatastoreVersionRow>().Where(v => v.DatastoreId == version.DatastoreId).Select(v => v.Name).FirstOrDefaultAsync(ct);
        await db.GetTable<DatastoreRow>().Where(d => d.Id == version.DatastoreId && d.DefaultVersion == version.Name)
            .Set(d => d.DefaultVersion, next).UpdateAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
