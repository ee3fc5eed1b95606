using System.Net;
using Trove.Contracts.Guests;

namespace Trove.Guest.Agent;

/// <summary>
/// Where the guest writes its backups and reads a restore's. With object storage, the control plane gives it a URI
/// (<see cref="BackupInfo.AccessUri"/>) for exactly one object: the guest streams its backup there, and downloads a
/// restore's chain into its server directory first. With the local storage it writes exactly its own backup, into the
/// file the control plane made for its OS user alone (in a directory it can neither list nor write); it restores from
/// the copies the compute driver put in its server directory, as completed backups are root's and readable by no guest.
/// </summary>
public sealed class GuestBackupFiles(string backupsDirectory, string serverDirectory)
{
    private static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan }; // a backup takes as long as it takes

    private string RestoreDirectory => Path.Combine(serverDirectory, "restore");

    /// <summary>Where the compute driver copied the source's archived log segments a restore replays.</summary>
    public string WalCopies => Path.Combine(RestoreDirectory, "wal");

    /// <summary>Where the control plane keeps the backup once complete; for object storage, its URI without the signature.</summary>
    public string LocationOf(BackupInfo backup) => backup.AccessUri is { } uri
        ? new Uri(uri).GetLeftPart(UriPartial.Path)
        : BackupFileNames.FileOf(backupsDirectory, backup.Id);

    /// <summary>Writes what <paramref name="write"/> writes as the backup; returns the ETag object storage answered (null for a file).</summary>
    public async Task<string?> WriteAsync(BackupInfo backup, Func<Stream, Task> write, CancellationToken ct)
    {
        if (backup.AccessUri is { } uri)
            return await UploadAsync(uri, write, ct);
        await using var file = OpenForBackup(backup.Id);
        await write(file);
        await file.FlushAsync(ct);
        return null;
    }

    private Stream OpenForBackup(string backupId)
    {
        var partial = BackupFileNames.PartialOf(backupsDirectory, backupId);
        try
        {
            return new FileStream(partial, FileMode.Truncate, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOperationException($"The control plane made no file for backup {backupId} at {partial}.");
        }
    }

    /// <summary>One chunked PUT, streamed as the backup is taken: nothing of it is kept on the guest's disk.</summary>
    private static async Task<string?> UploadAsync(string uri, Func<Stream, Task> write, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new StreamedContent(write) };
        request.Headers.TransferEncodingChunked = true;
        using var response = await Http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new IOException($"Object storage refused the backup: {await FailureOf(response, ct)}");
        // Swift sends its ETag unquoted, which HttpHeaders.ETag does not parse.
        return response.Headers.TryGetValues("ETag", out var etags) ? etags.First().Trim('"') : null;
    }

    /// <summary>Downloads each link of the chain that is in object storage into this server's directory, where
    /// <see cref="OpenForRestore"/> finds it as it finds the compute driver's copies.</summary>
    public async Task FetchAsync(IReadOnlyList<BackupInfo> chain, CancellationToken ct)
    {
        foreach (var link in chain.Where(l => l.AccessUri is not null))
        {
            Directory.CreateDirectory(RestoreDirectory);
            using var response = await Http.GetAsync(link.AccessUri, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
                throw new IOException($"Backup {link.Id} could not be read from object storage: {await FailureOf(response, ct)}");
            await using var copy = new FileStream(CopyOf(link.Location ?? link.AccessUri!), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await response.Content.CopyToAsync(copy, ct);
        }
    }

    /// <summary>The copy of the backup at <paramref name="location"/> in this server's directory.</summary>
    public Stream OpenForRestore(string location) =>
        new FileStream(CopyOf(location), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

    private string CopyOf(string location) =>
        Path.Combine(RestoreDirectory, Path.GetFileName(BackupFileNames.IsUrl(location) ? new Uri(location).AbsolutePath : location));

    /// <summary>Once restored, the copies would only count against the volume.</summary>
    public void DiscardRestoreCopies()
    {
        if (Directory.Exists(RestoreDirectory))
            Directory.Delete(RestoreDirectory, recursive: true);
    }

    private static async Task<string> FailureOf(HttpResponseMessage response, CancellationToken ct) =>
        $"{(int)response.StatusCode} {response.ReasonPhrase} {(await response.Content.ReadAsStringAsync(ct)).Trim()}".Trim();

    /// <summary>A request body written by a producer as it goes (sent chunked: its length is not known before).</summary>
    private sealed class StreamedContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
