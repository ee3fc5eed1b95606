namespace Trove.Actors.Guests;

/// <summary>A guest's own broker user, which its server is given in place of the node's. Never journaled, never printed.</summary>
public sealed record GuestCredentials(string User, string Password)
{
    /// <summary>The broker URI the guest connects with: the node's broker, as this user.</summary>
    public string UriOn(string brokerUri) =>
        new UriBuilder(brokerUri) { UserName = Uri.EscapeDataString(User), Password = Uri.EscapeDataString(Password) }.Uri.AbsoluteUri;

    public override string ToString() => $"{User}:***";
}
