using System.Runtime.Versioning;
using Trove.Contracts.Guests;
using Trove.Guest.Datastores;

namespace Trove.Tests.GuestImages;

/// <summary>The user data a cloud server gets: a #cloud-config document whose guest info reads back as it was given,
/// checked with Debian's cloud-init (scripts/bootstrap installs it).</summary>
[SupportedOSPlatform("linux")]
public sealed class GuestUserDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("guest-user-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

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

    [Fact]
    public async Task Cloud_init_finds_the_document_valid_against_its_schema()
    {
        var file = Path.Combine(_dir, "user_data");
        await File.WriteAllTextAsync(file, GuestUserData.Render(Info));
        var result = await ProcessRunner.RunAsync("cloud-init", ["schema", "--config-file", file], CancellationToken.None);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("Valid cloud-config", result.Output);
    }

    /// <summary>cloud-init's own write_files module, given the document as its datasource would, writing under a folder
    /// of the test's in place of /: the agent reads the file it writes as the guest info rendered, root's alone. Debian's
    /// python3, which has cloud-init's modules (a python3 earlier on PATH may not).</summary>
    [Fact]
    public async Task The_file_cloud_init_writes_from_it_is_the_guest_info_root_only()
    {
        var file = Path.Combine(_dir, "user_data");
        await File.WriteAllTextAsync(file, GuestUserData.Render(Info));
        const string writeFiles = """
            import sys
            from cloudinit import util
            from cloudinit.config import cc_write_files
            config = util.load_yaml(open(sys.argv[1]).read())
            files = [dict(f, path=sys.argv[2] + f["path"]) for f in config["write_files"]]
            cc_write_files.write_files("write_files", files, "root:root")
            """;
        var result = await ProcessRunner.RunAsync("/usr/bin/python3", ["-c", writeFiles, file, _dir], CancellationToken.None);
        Assert.True(result.ExitCode == 0, result.Output + result.Error);

        var written = _dir + GuestImage.InfoPath;
        Assert.Equal(Info, GuestInfoJson.Read(written));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(written));
    }
}
