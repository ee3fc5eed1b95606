# Shared by scripts/run, scripts/cluster, scripts/rolling-restart, scripts/bench and scripts/test: the node published
# ReadyToRun, with the guest agent beside it published Native AOT (Trove.Guest/GuestAgent.targets). Precompiled, a node
# starts on ~25 % less CPU, and a native guest serves its queue on 0.05 CPU-s instead of ~0.6: CPU that the database
# engines starting next to them need.
rid="linux-$(case "$(uname -m)" in aarch64) echo arm64 ;; *) echo x64 ;; esac)"
node_dll="$root/Trove.Web/bin/Release/net10.0/$rid/publish/Trove.Web.dll"
# The node's build settings. scripts/test builds the tests with the same ones: the node's projects they reference are
# then the same builds as the publish's (same configuration, runtime and properties), compiled once, not again in Debug.
node_build=(-c Release -r "$rid" -p:SelfContained=false -p:PublishReadyToRun=true)   # not --self-contained: dotnet test has no such option

publish_node() {
  local out
  out=$(dotnet publish "$root/Trove.Web/Trove.Web.csproj" "${node_build[@]}" -v q -nologo 2>&1) || { echo "$out" >&2; echo "publishing the node failed: dotnet publish $root/Trove.Web (scripts/lib/node-build.sh)" >&2; return 1; }
}

# Trove.Bench, as scripts/bench runs it; scripts/test builds it too, so that a run proves it compiles (no test references it).
build_bench() {
  dotnet build "$root/Trove.Bench/Trove.Bench.csproj" -c Release -v q -nologo
}
