using System.Runtime.InteropServices;

namespace Trove.Actors.Compute;

/// <summary>
/// The OS user a local server (its guest and its engine) runs as: one per instance, a system user with its own group
/// and no login shell, created with the server and removed with it, so that an engine reaches nothing of another
/// server's, of the node's or of the broker's.
/// </summary>
public static class ServerUsers
{
    private const string Prefix = "trove-";
    private const int SigKill = 9;
    /// <summary>The shadow tools' exit codes: "cannot update the password file" (1) and "the group file" (10) are what a
    /// lock held by another useradd or userdel gives ("cannot lock /etc/passwd; try again later"), here or in any other
    /// process of the host.</summary>
    private const int CannotUpdatePasswd = 1, CannotUpdateGroup = 10, UseraddNameInUse = 9, UserdelNoUser = 6, UserdelLoggedIn = 8;

    /// <summary>How long a locked password or group file is waited for: twenty servers made at once on a loaded machine
    /// queue for it for seconds.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(60);

    /// <summary>useradd takes at most 32 characters: the prefix and the first 25 letters and digits of the id (of an
    /// instance's GUID, 100 of its 128 bits).</summary>
    public static string NameOf(string instanceId)
    {
        var letters = new string(instanceId.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
        return Prefix + letters[..Math.Min(25, letters.Length)];
    }

    /// <summary>The user's uid and gid, creating it first if needed; repeating it (or another node racing it) is harmless.</summary>
    public static async Task<(int Uid, int Gid)> EnsureAsync(string name, string home, CancellationToken ct)
    {
        if (IdsOf(name) is { } ids)
            return ids;
        await RetryWhileLockedAsync("useradd",
            ["--system", "--user-group", "--no-create-home", "--home-dir", home, "--shell", "/usr/sbin/nologin", name],
            [UseraddNameInUse], ct);
        return IdsOf(name) ?? throw new InvalidOperationException($"useradd {name} left no such user");
    }

    /// <summary>Kills every process of the user, then removes the user and its group; a missing user is already removed.</summary>
    public static async Task RemoveAsync(string name, CancellationToken ct)
    {
        if (IdsOf(name) is { } ids)
        {
            await KillAllAsync(ids.Uid, ct);
            // a process of the user started meanwhile (a guest restarted by a reconciler) is killed before userdel's next try
            await RetryWhileLockedAsync("userdel", [name], [UserdelNoUser], ct, beforeRetry: () => KillAllAsync(ids.Uid, ct));
        }
        if (File.ReadLines("/etc/group").Any(l => l.StartsWith(name + ":", StringComparison.Ordinal)))
            await RetryWhileLockedAsync("groupdel", [name], [UserdelNoUser], ct);
    }

    /// <summary>The uid and gid of the user, from /etc/passwd, or null.</summary>
    public static (int Uid, int Gid)? IdsOf(string name) =>
        File.ReadLines("/etc/passwd").Select(l => l.Split(':')).Where(f => f.Length > 3 && f[0] == name)
            .Select(f => ((int Uid, int Gid)?)(int.Parse(f[2]), int.Parse(f[3]))).FirstOrDefault();

    /// <summary>The last path segment of each server user's home directory directly in <paramref name="serversDirectory"/>:
    /// the servers made there that still have their user, their directory or not.</summary>
    public static IReadOnlyList<string> ServersWithUsersIn(string serversDirectory) =>
        File.ReadLines("/etc/passwd").Select(l => l.Split(':'))
            .Where(f => f.Length > 5 && f[0].StartsWith(Prefix, StringComparison.Ordinal) && Path.GetDirectoryName(f[5]) == serversDirectory)
            .Select(f => Path.GetFileName(f[5]))
            .ToList();

    /// <summary>Running processes whose real or effective uid is <paramref name="uid"/>. A zombie is not one: it has ended,
    /// holds nothing, cannot be killed, and waits only for its parent (init, for a guest and its engine) to reap it, which
    /// a loaded machine's init did seconds late, so that every delete warned of and "killed" the stopped guest and engine.</summary>
    public static IReadOnlyList<int> ProcessesOf(int uid) =>
        Directory.EnumerateDirectories("/proc")
            .Select(p => int.TryParse(Path.GetFileName(p), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && UidsOf(pid).Take(2).Contains(uid))
            .ToList();

    private static IEnumerable<int> UidsOf(int pid)
    {
        try
        {
            var status = File.ReadLines($"/proc/{pid}/status").ToList();
            if (status.Any(l => l.StartsWith("State:\tZ", StringComparison.Ordinal)))
                return [];
            var line = status.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return line is null ? [] : line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return []; // it ended meanwhile
        }
    }

    /// <summary>Kills until none is left: a process may fork while the others are killed.</summary>
    public static async Task KillAllAsync(int uid, CancellationToken ct)
    {
        for (var round = 0; round < 100; round++)
        {
            var left = ProcessesOf(uid);
            if (left.Count == 0)
                return;
            foreach (var pid in left)
                _ = Kill(pid, SigKill);
            await Task.Delay(20, ct);
        }
        throw new InvalidOperationException($"processes of uid {uid} are still running after being killed");
    }

    /// <summary>useradd and userdel refuse while another one holds /etc/passwd's or /etc/group's lock (servers are made
    /// in parallel): tried again, after a random short wait so that the waiting ones do not retry in step.</summary>
    private static async Task RetryWhileLockedAsync(string tool, string[] args, int[] alsoFine, CancellationToken ct, Func<Task>? beforeRetry = null)
    {
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            var result = await HostCommand.RunAsync(tool, args, ct);
            if (result.ExitCode == 0 || alsoFine.Contains(result.ExitCode))
                return;
            if (result.ExitCode is not (CannotUpdatePasswd or CannotUpdateGroup or UserdelLoggedIn) || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited with {result.ExitCode}: {result.Error}");
            await Task.Delay(Random.Shared.Next(50, 250), ct);
            if (beforeRetry is not null)
                await beforeRetry();
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int sig);
}
