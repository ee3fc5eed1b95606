using Microsoft.Extensions.Logging;

namespace Trove.Guest.Datastores;

/// <summary>
/// The processes working in an engine's directory, found by their command line or working directory inside it
/// (an engine changes into its data directory; an init tool names it). A guest killed with SIGKILL leaves its children
/// running: an init tool (initdb, mariadb-install-db) that goes on writing the data directory, or an engine's children
/// still attached to its shared memory. Only this OS user's own processes (or any, as root) can be read.
/// </summary>
public static class EngineProcesses
{
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(10);

    public static IReadOnlyList<int> In(string directory)
    {
        var inside = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return Directory.EnumerateDirectories("/proc")
            .Select(p => int.TryParse(Path.GetFileName(p), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && IsAlive(pid) && WorksIn(pid, inside))
            .ToList();
    }

    /// <summary>Kills (SIGKILL) what a killed guest left working in <paramref name="directory"/> and waits until it is
    /// gone: only then may the directory be made again or an engine be started on it.</summary>
    public static async Task KillLeftoversAsync(string directory, ILogger log, CancellationToken ct)
    {
        var leftovers = In(directory);
        if (leftovers.Count == 0)
            return;
        foreach (var pid in leftovers)
        {
            log.LogWarning("killing process {Pid} ({Command}) left working in {Directory} by an earlier guest", pid, string.Join(' ', Arguments(pid)), directory);
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // gone already
            }
        }
        var deadline = DateTime.UtcNow + GoneWithin;
        while (leftovers.Any(IsAlive))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"processes {string.Join(", ", leftovers.Where(IsAlive))} left in {directory} did not end within {GoneWithin.TotalSeconds} s");
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Whether the process runs (a zombie has ended: only its parent's wait is missing).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool WorksIn(int pid, string directory) =>
        WorkingDirectory(pid) is { } cwd && IsIn(cwd, directory) || Arguments(pid).Any(a => IsIn(a, directory));

    /// <summary>A path, or an option's value (<c>--datadir=...</c>), that is the directory or lies inside it.</summary>
    private static bool IsIn(string argument, string directory)
    {
        var path = argument.StartsWith("--", StringComparison.Ordinal) && argument.Contains('=') ? argument[(argument.IndexOf('=') + 1)..] : argument;
        return path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);
    }

    private static string? WorkingDirectory(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").ResolveLinkTarget(returnFinalTarget: false)?.FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] Arguments(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
