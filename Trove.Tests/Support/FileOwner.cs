namespace Trove.Tests.Support;

public static class FileOwner
{
    /// <summary>The uid that owns <paramref name="path"/>, as <c>stat</c> tells it.</summary>
    public static int UidOf(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var uid = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return int.Parse(uid);
    }
}
