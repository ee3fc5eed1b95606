namespace Trove.Contracts.Guests;

/// <summary>Where a guest baked into a server image (scripts/publish-guest) keeps itself: the layout cloud-init's user
/// data writes and the agent's systemd unit reads, shared by the cloud compute driver and the agent.</summary>
public static class GuestImage
{
    /// <summary>The guest info an image's agent reads when started with no argument; the same file LocalCompute writes.</summary>
    public const string InfoPath = "/etc/trove/guest_info.json";

    /// <summary>The guest's <see cref="GuestInfo.Directory"/> on a VM: the agent makes it if it is missing.</summary>
    public const string ServerDirectory = "/var/lib/trove-guest";

    /// <summary>The <see cref="GuestInfo.Address"/> of a VM's guest: its engine listens on every address of the VM (which
    /// the control plane does not know before the cloud made it); the cloud's security groups and the instance's access
    /// rules decide who reaches it.</summary>
    public const string EveryAddress = "0.0.0.0";

    /// <summary>The agent's systemd unit.</summary>
    public const string Unit = "trove-guest.service";

    /// <summary>Where a config drive's user data is, under the folder the drive is mounted on (OpenStack's layout).</summary>
    public static string ConfigDriveUserData(string mountPoint) => Path.Combine(mountPoint, "openstack", "latest", "user_data");
}
