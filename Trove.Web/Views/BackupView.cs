using Trove.Actors.Backups;
using Trove.Actors.Catalog;

namespace Trove.Web.Views;

/// <summary>Upstream's backup view: its project, and its datastore with the version's catalog id (what the client's
/// <c>backup create/show</c> prints as <c>datastore_version_id</c>); besides upstream's, <c>fault</c> says why one FAILED.</summary>
public static class BackupView
{
    public static object Of(BackupState b, CatalogService catalog) => new
    {
        id = b.Id,
        name = b.Name,
        description = b.Description,
        locationRef = b.Location,
        instance_id = b.InstanceId,
        created = InstanceView.Timestamp(b.Created),
        updated = InstanceView.Timestamp(b.Updated),
        size = b.Size is { } bytes ? Math.Round(bytes / (1024.0 * 1024 * 1024), 6) : (double?)null,
        status = b.Status,
        parent_id = b.ParentId,
        project_id = b.TenantId,
        datastore = new { type = b.Datastore, version = b.DatastoreVersion, version_id = catalog.VersionIdOf(b.Datastore, b.DatastoreVersion) },
        fault = b.Fault,
    };
}
