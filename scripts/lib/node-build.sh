# Shared by scripts/run, scripts/cluster, scripts/rolling-restart, scripts/bench and scripts/test: the node published
# ReadyToRun, with the guest agent beside it published Native AOT (Trove.Guest/GuestAgent.targets). Precompiled, a node
# starts on ~25 % less CPU, and a native guest serves its queue on 0.05 CPU-s instead of ~0.6: CPU that the database
# engines starting next to them need.
rid="linux-$(case "$(uname -m)" in aarch64) echo arm64 ;; *) echo x64 ;; esac)"
node_dll="$root/Trove.Web/bin/Release/net10.0/$rid/publish/Trove.Web.dll"

publish_node() {
  local out
  out=$(dotnet publish "$root/Trove.Web/Trove.Web.csproj" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
    -v q -nologo 2>&1) || { echo "$out" >&2; echo "publishing the node failed: dotnet publish $root/Trove.Web (scripts/lib/node-build.sh)" >&2; return 1; }
}
