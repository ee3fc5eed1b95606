using System.Text;

namespace Trove.Contracts.Guests;

/// <summary>
/// A guest's configuration as a server's user data: a <c>#cloud-config</c> document that writes the guest info to
/// <see cref="GuestImage.InfoPath"/> (root's, 0600: it holds the guest's broker password) and starts the agent's unit.
/// The file is the JSON LocalCompute writes (<see cref="GuestInfoJson"/>), base64 in the document so that no YAML
/// quoting can change it. The document carries a secret: log it never, only its length.
/// </summary>
public static class GuestUserData
{
    private const string Header = "#cloud-config";
    private const string FileEntry = "  - path: ";
    private const string ContentKey = "    content: ";

    public static string Render(GuestInfo info)
    {
        var content = Convert.ToBase64String(Encoding.UTF8.GetBytes(GuestInfoJson.Serialize(info)));
        // --no-block: runcmd runs inside cloud-final, which a unit ordered after it would wait for.
        return $"""
            {Header}
            # Trove guest agent configuration for instance {info.InstanceId}
            write_files:
            {FileEntry}{GuestImage.InfoPath}
                owner: root:root
                permissions: '0600'
                encoding: b64
            {ContentKey}{content}
            runcmd:
              - [systemctl, enable, {GuestImage.Unit}]
              - [systemctl, start, --no-block, {GuestImage.Unit}]

            """;
    }

    /// <summary>The guest info of a document <see cref="Render"/> wrote (a config drive's user data).</summary>
    public static GuestInfo Parse(string userData)
    {
        var lines = userData.ReplaceLineEndings("\n").Split('\n');
        if (lines[0].TrimEnd() != Header)
            throw new InvalidDataException($"the user data is not a {Header} document");
        var entry = Array.FindIndex(lines, l => l.TrimEnd() == FileEntry + GuestImage.InfoPath);
        if (entry < 0)
            throw new InvalidDataException($"the user data writes no {GuestImage.InfoPath}");
        var fields = lines.Skip(entry + 1).TakeWhile(l => l.StartsWith("    ") && !l.StartsWith(FileEntry)).ToList();
        if (!fields.Any(f => f.Trim() == "encoding: b64"))
            throw new InvalidDataException($"the user data's {GuestImage.InfoPath} is not base64 (encoding: b64)");
        var content = fields.FirstOrDefault(f => f.StartsWith(ContentKey))?[ContentKey.Length..].Trim()
            ?? throw new InvalidDataException($"the user data's {GuestImage.InfoPath} has no content");
        return GuestInfoJson.Deserialize(Encoding.UTF8.GetString(Convert.FromBase64String(content)), "the user data");
    }
}
