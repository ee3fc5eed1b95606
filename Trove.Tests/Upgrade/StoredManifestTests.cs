using Trove.Actors.Hosting;
using System.Text.Json.Nodes;
using Akka.Actor;
using Trove.Actors.Serialization;

namespace Trove.Tests.Upgrade;

/// <summary>
/// Every event and snapshot release d88d1e5 stored, taken from its journal (not listed by hand), is read by this code
/// under the same manifest, and keeps every field it was written with: a renamed manifest, a renamed or retyped field
/// of an event or a state fails here before an operator's node fails to recover.
/// </summary>
public sealed class StoredManifestTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("stored-manifests", "akka.loglevel = WARNING");

    public void Dispose() => _system.Dispose();

    [Fact]
    public void The_fixture_holds_events_and_snapshots_of_every_entity_type()
    {
        var payloads = UpgradeFixture.StoredPayloads();
        foreach (var entity in new[] { "instance-", "backup-", "tenant-" })
            Assert.Contains(payloads, p => p.Table == "journal" && p.PersistenceId.StartsWith(entity));
        // this release snapshots instances and tenants; backups it never snapshots
        foreach (var entity in new[] { "instance-", "tenant-" })
            Assert.Contains(payloads, p => p.Table == "snapshot" && p.PersistenceId.StartsWith(entity));
    }

    [Fact]
    public void Every_stored_payload_deserializes_under_its_manifest_and_keeps_its_fields()
    {
        var serializer = new TroveSerializer((ExtendedActorSystem)_system, TroveNodeExtensions.Manifests);
        var problems = new List<(string Manifest, string Problem)>();
        foreach (var stored in UpgradeFixture.StoredPayloads())
        {
            var where = $"{stored.Table} {stored.PersistenceId}#{stored.SequenceNr}";
            if (stored.SerializerId != serializer.Identifier)
            {
                problems.Add((stored.Manifest, $"{where}: serializer {stored.SerializerId}, not {serializer.Identifier}"));
                continue;
            }
            object message;
            try
            {
                message = serializer.FromBinary(stored.Bytes, stored.Manifest);
            }
            catch (Exception e)
            {
                problems.Add((stored.Manifest, $"{where}: {e.GetType().Name}: {e.Message}"));
                continue;
            }
            if (serializer.Manifest(message) != stored.Manifest)
                problems.Add((stored.Manifest, $"{where}: read as {message.GetType().Name}, which is now written as '{serializer.Manifest(message)}'"));
            var written = JsonNode.Parse(stored.Bytes)!;
            var rewritten = JsonNode.Parse(serializer.ToBinary(message))!;
            problems.AddRange(JsonSubset.Missing(written, rewritten, "$").Select(m => (stored.Manifest, $"{where}: {m}")));
        }
        // one line per broken manifest: its first problem and how many stored payloads have one
        Assert.True(problems.Count == 0, string.Join("\n", problems.GroupBy(p => p.Manifest)
            .Select(g => $"'{g.Key}' ({g.Count()} problems): {g.First().Problem}")));
    }
}
