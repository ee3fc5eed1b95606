using Trove.Actors.Backups;
using Trove.Actors.Instances;

namespace Trove.Actors.History;

/// <summary>One event of an instance or a backup, as the live stream sends it: its journal offset, the entity's state
/// after it, and its history entry. <see cref="InstanceId"/> is the instance it concerns (a backup's instance).</summary>
public sealed record EntityChange(long Offset, string TenantId, string InstanceId, HistoryEntry Entry, InstanceState? Instance, BackupState? Backup);
