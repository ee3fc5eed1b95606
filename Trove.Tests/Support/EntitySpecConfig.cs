using Akka.Configuration;

namespace Trove.Tests.Support;

/// <summary>The actor system of an entity's TestKit spec: an in-memory journal and snapshot store, warnings only. An
/// expectation without a timeout of its own waits up to 10 s (TestKit's default is 3 s): the specs run beside real nodes
/// and engines on 2 cores, where a passing expectation still returns as soon as its message arrives.</summary>
public static class EntitySpecConfig
{
    public static readonly Config InMemory = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.test.single-expect-default = 10s
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);

    /// <summary>The same, with the journal of type <typeparamref name="TJournal"/> (a test's own) in place of the
    /// in-memory one.</summary>
    public static Config WithJournal<TJournal>(string name) where TJournal : Akka.Persistence.Journal.AsyncWriteJournal =>
        ConfigurationFactory.ParseString($$"""
            akka.persistence.journal.plugin = "akka.persistence.journal.{{name}}"
            akka.persistence.journal.{{name}} {
              class = "{{typeof(TJournal).AssemblyQualifiedName}}"
              plugin-dispatcher = "akka.actor.default-dispatcher"
            }
            """).WithFallback(InMemory);
}
