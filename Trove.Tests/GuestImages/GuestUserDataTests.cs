using Trove.Contracts;
using Trove.Contracts.Guests;
using Xunit;

namespace Trove.Tests.GuestImages;

/// <summary>The user data a cloud server gets: a #cloud-config document whose guest info reads back as it was given.</summary>
public sealed class GuestUserDataTests
{
    internal static readonly GuestInfo Info = new("3f1c9a0e-7d2b-4c55-9e61-0a8b7c6d5e4f", "postgresql", "15", 5432,
        GuestImage.ServerDirectory, "amqp://trove-guest-3f1c:s3cr%3At:pw@10.0.0.5:5672/", "trove", "trove-conductor",
        60, "/var/lib/trove-guest/backups", VolumeSize: 2, RamMb: 2048, Address: "10.0.0.17");

    [Fact]
    public void Parse_reads_back_what_Render_wrote()
    {
        Assert.Equal(Info, GuestUserData.Parse(GuestUserData.Render(Info)));
    }

    [Fact]
    public void The_file_inside_is_the_guest_info_json_LocalCompute_writes()
    {
        var document = GuestUserData.Render(Info);
        var content = document.Split('\n').Single(l => l.StartsWith("    content: "))["    content: ".Length..];
        Assert.Equal(GuestInfoJson.Serialize(Info), System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(content)));
    }

    [Fact]
    public void The_document_is_cloud_config_writing_the_image_path_root_only_and_starting_the_unit()
    {
        var document = GuestUserData.Render(Info);
        Assert.StartsWith("#cloud-config\n", document);
        Assert.Contains($"  - path: {GuestImage.InfoPath}\n    owner: root:root\n    permissions: '0600'\n", document);
        Assert.Contains($"[systemctl, start, --no-block, {GuestImage.Unit}]", document);
    }

    [Fact]
    public void The_broker_password_is_not_in_the_document_in_clear()
    {
        Assert.DoesNotContain("s3cr", GuestUserData.Render(Info));
        Assert.DoesNotContain("s3cr", Info.ToString());
    }

    [Theory]
    [InlineData("{\"instance_id\": \"x\"}", "not a #cloud-config")]
    [InlineData("#cloud-config\nwrite_files:\n  - path: /etc/other\n    content: e30=\n", "writes no /etc/trove/guest_info.json")]
    [InlineData("#cloud-config\nwrite_files:\n  - path: /etc/trove/guest_info.json\n    content: '{}'\n", "not base64")]
    public void User_data_of_another_shape_is_refused_naming_what_is_wrong(string userData, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => GuestUserData.Parse(userData));
        Assert.Contains(message, error.Message);
    }
}
