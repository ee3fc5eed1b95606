using Akka.Configuration;

namespace Trove.Tests.Support;

/// <summary>The actor system of an entity's TestKit spec: an in-memory journal and snapshot store, warnings only.</summary>
public static class EntitySpecConfig
{
    public static readonly Config InMemory = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);
}
