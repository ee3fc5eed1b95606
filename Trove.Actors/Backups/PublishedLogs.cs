using Trove.Contracts.Guests;

namespace Trove.Actors.Backups;

/// <summary>A published guest log, as upstream's Swift container holds it: the container, the object's name, its lines
/// and size, and when it was published.</summary>
public sealed record PublishedLog(string InstanceId, string LogName, string ObjectName, long Bytes, int Lines, DateTimeOffset PublishedAt);

/// <summary>Published guest logs, kept in the backup storage (its <c>logs/</c> directory, the node's alone): one file per
/// instance and log, replaced by each publish, removed by a discard. Named as upstream names its Swift objects:
/// container <see cref="Container"/>, object <c>{instance}_{log}_log</c> (one URL segment; upstream's has slashes).</summary>
public sealed class PublishedLogs(string backupsDirectory)
{
    public const string Container = "database_logs";

    private readonly string _root = Path.Combine(Path.GetFullPath(backupsDirectory), "logs");

    public static string PrefixOf(string instanceId, string logName) => $"{instanceId}_{logName}_";

    public static string MetafileOf(string instanceId, string logName) => $"{instanceId}_{logName}_metafile";

    /// <summary>The instance and log an object's name names, if it is one of a published log's.</summary>
    public static (string InstanceId, string LogName)? Parse(string objectName) =>
        objectName.Split('_') is [var instanceId, var logName, "log"] && Guid.TryParse(instanceId, out _) && GuestLogNames.All.Contains(logName)
            ? (instanceId, logName)
            : null;

    public PublishedLog? Find(string instanceId, string logName)
    {
        var file = FileOf(instanceId, logName);
        if (!File.Exists(file))
            return null;
        var info = new FileInfo(file);
        return new PublishedLog(instanceId, logName, PrefixOf(instanceId, logName) + "log", info.Length,
            File.ReadLines(file).Count(), new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
    }

    public async Task<PublishedLog> PublishAsync(string instanceId, string logName, string contents, CancellationToken ct)
    {
        var file = FileOf(instanceId, logName);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var partial = file + ".part";
        await File.WriteAllTextAsync(partial, contents, ct);
        File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(partial, file, overwrite: true);
        return Find(instanceId, logName)!;
    }

    public Task<string> ReadAsync(string instanceId, string logName, CancellationToken ct) => File.ReadAllTextAsync(FileOf(instanceId, logName), ct);

    public void Discard(string instanceId, string logName) => File.Delete(FileOf(instanceId, logName));

    /// <summary>Only an instance id (a GUID) and a log the guests offer make a path: nothing a request says escapes the directory.</summary>
    private string FileOf(string instanceId, string logName) =>
        Guid.TryParse(instanceId, out var id) && GuestLogNames.All.Contains(logName)
            ? Path.Combine(_root, id.ToString(), $"{logName}.log")
            : throw new ArgumentException($"'{instanceId}' and '{logName}' do not name a guest log");
}
