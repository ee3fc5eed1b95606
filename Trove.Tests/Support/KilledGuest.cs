namespace Trove.Tests.Support;

/// <summary>A guest killed with SIGKILL at a chosen point of its work, for the tests of what the next guest does with
/// what it left: the guest's own work stops there, the processes it started go on.</summary>
public static class KilledGuest
{
    /// <summary>Stands for the guest killed once <paramref name="file"/> (a file or directory) appears under
    /// <paramref name="directory"/>: the manager's <paramref name="work"/>, run with <paramref name="kill"/>'s token,
    /// is cancelled there, and its child processes are left running as a kill leaves them.</summary>
    public static async Task InterruptAsync(Task work, CancellationTokenSource kill, string directory, string file)
    {
        await WaitUntilAsync(() => work.IsCompleted || Exists(directory, file), $"{file} to appear in {directory}");
        kill.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => work);
    }

    /// <summary>Whether <paramref name="name"/> exists anywhere under <paramref name="directory"/>.</summary>
    public static bool Exists(string directory, string name)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(directory, name, SearchOption.AllDirectories).Any();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // directories come and go while a tool writes
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited in vain for {what}");
            await Task.Delay(10);
        }
    }
}
