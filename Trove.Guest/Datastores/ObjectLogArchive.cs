using System.Text;

namespace Trove.Guest.Datastores;

/// <summary>
/// An engine's log archive in object storage, reached only through TempURLs, never with the cloud's credentials: the
/// control plane grants the guest a URL that writes only under its own instance's prefix (<c>grant_wal_archive</c>) and
/// casts a fresh one before it expires; it is kept in the server's directory, where the engine's archive command reads it
/// for each segment. A restore reads its source's segments through a read-only URL for the source's prefix. Both commands
/// are one shell script over curl, written into the server's directory. A segment that cannot be written (no URL yet, an
/// expired one, object storage down) fails the archive command, and the engine keeps it and tries again: none is lost.
/// The engine runs the script and reads the URLs: a guest run as root (a cloud image's) hands them to the engine's user.
/// </summary>
public sealed class ObjectLogArchive(string directory, EngineUser engine)
{
    private readonly string serverDirectory = Path.GetFullPath(directory);

    private const string Commands = """
        #!/bin/sh
        # Written by the Trove guest agent. put URLFILE PATH NAME: archives the segment at PATH as NAME through the prefix
        # TempURL in URLFILE; an object of that name already there passes only if it holds the same bytes (an archive
        # repeated after a crash). get URLFILE PATH NAME: reads NAME into PATH. Any failure exits non-zero.
        set -u
        url=$(cat "$2") && [ -n "$url" ] || exit 1
        object="${url%%\?*}$4?${url#*\?}"
        case $1 in
        get) exec curl -fsS --max-time 300 -o "$3" "$object" ;;
        put)
          md5=$(md5sum < "$3") || exit 1
          md5=${md5%% *}
          code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 300 -H 'If-None-Match: *' -H "ETag: $md5" -T "$3" "$object") || exit 1
          case $code in
          201) exit 0 ;;
          412) etag=$(curl -fsS -I --max-time 60 "$object" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: *"\{0,1\}\([0-9a-fA-F]*\)"\{0,1\}$/\1/p')
               [ "$etag" = "$md5" ] ;;
          *) echo "trove-wal-object: $4: HTTP $code" >&2; exit 1 ;;
          esac ;;
        *) exit 2 ;;
        esac

        """;

    private string Script => Path.Combine(serverDirectory, "trove-wal-object");

    /// <summary>Where the URL granted for this server's own archive is kept.</summary>
    public string GrantFile => Path.Combine(serverDirectory, "wal-archive-url");

    /// <summary>Keeps a newly granted URL, whole: the archive command never reads half of one.</summary>
    public Task GrantAsync(string uri, CancellationToken ct) => WriteSecretAsync(GrantFile, uri, ct);

    /// <summary>Writes the commands' script; answers the archive command (PostgreSQL's %p and %f) that writes through the grant.</summary>
    public async Task<string> ArchiveCommandAsync(CancellationToken ct)
    {
        await WriteScriptAsync(ct);
        return $"{Script} put {GrantFile} %p %f";
    }

    /// <summary>Keeps <paramref name="uri"/> in <paramref name="urlFile"/> and answers the restore command that reads through it.</summary>
    public async Task<string> RestoreCommandAsync(string urlFile, string uri, CancellationToken ct)
    {
        await WriteScriptAsync(ct);
        await WriteSecretAsync(urlFile, uri, ct);
        return $"{Script} get {urlFile} %p %f";
    }

    private async Task WriteScriptAsync(CancellationToken ct)
    {
        await File.WriteAllTextAsync(Script, Commands.ReplaceLineEndings("\n"), ct);
        File.SetUnixFileMode(Script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await engine.OwnAsync(Script, ct);
    }

    private async Task WriteSecretAsync(string file, string text, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temporary = file + ".new";
        await using (var stream = new FileStream(temporary, new FileStreamOptions
                     {
                         Mode = FileMode.Create, Access = FileAccess.Write,
                         UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                     }))
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await engine.OwnAsync(temporary, ct);
        File.Move(temporary, file, overwrite: true);
    }
}
