using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

/// <summary>
/// Where the agent finds its guest info: <c>--config FILE</c> (LocalCompute), <c>--config-drive DIR</c> (a mounted
/// OpenStack config drive, whose user data is <see cref="GuestUserData"/>), or with neither the file cloud-init writes
/// on an image (<see cref="GuestImage.InfoPath"/>).
/// </summary>
public static class GuestConfiguration
{
    public const string Usage =
        "usage: trove-guest [--config <guest_info.json> | --config-drive <mounted config drive>]\n" +
        $"  with neither, the guest info cloud-init wrote: {GuestImage.InfoPath}";

    /// <summary>rwxr-xr-x: the guest's directory when the agent makes it.</summary>
    public const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;

    public static GuestInfo Load(IReadOnlyList<string> args)
    {
        if (Option(args, "--config") is { } file)
            return GuestInfoJson.Read(file);
        if (Option(args, "--config-drive") is { } drive)
            return GuestUserData.Parse(File.ReadAllText(GuestImage.ConfigDriveUserData(drive)));
        if (args.Count > 0)
            throw new ArgumentException(Usage);
        return GuestInfoJson.Read(GuestImage.InfoPath);
    }

    /// <summary>The option's value; an option given without one is a usage error.</summary>
    private static string? Option(IReadOnlyList<string> args, string name)
    {
        var at = args.ToList().IndexOf(name);
        if (at < 0)
            return null;
        return at + 1 < args.Count ? args[at + 1] : throw new ArgumentException(Usage);
    }
}
