namespace Trove.Actors.Compute;

/// <summary>
/// An exclusive lock on one server, across the nodes that share a machine's servers directory (an advisory lock on a
/// file of root's beside the server's directory): creation, the reconciler's restart and an adoption never start a second guest.
/// </summary>
public static class ServerLock
{
    public static async Task<IDisposable> TakeAsync(string serverDirectory, CancellationToken ct)
    {
        var path = serverDirectory.TrimEnd('/') + ".lock";
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path))
            {
                await Task.Delay(100, ct); // another node or sweep holds it
            }
        }
    }

    public static void Remove(string serverDirectory) => File.Delete(serverDirectory.TrimEnd('/') + ".lock");
}
