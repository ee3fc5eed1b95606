# Shared by scripts/cluster and scripts/rolling-restart: how local cluster node i is started and waited for.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(realpath -m "${TROVE_DATA_DIR:-.trove-cluster}")"
http="${TROVE_HTTP_PORT:-8779}"
db="Host=127.0.0.1;Port=5432;Database=${TROVE_CLUSTER_DATABASE:-trove};Username=trove;Password=trove"
key_file="$data/token.key"

start_node() {
  local i=$1 dir="$data/node-$1"
  mkdir -p "$dir"
  [ -f "$key_file" ] || head -c 32 /dev/urandom | base64 > "$key_file"
  env TROVE_DATA_DIR="$dir" TROVE_HTTP_PORT=$((http + i)) \
      Trove__AkkaPort=$((4053 + i)) Trove__SeedNodes__0="akka.tcp://trove@127.0.0.1:4053" \
      Trove__DatabaseProvider=PostgreSQL.15 Trove__JournalConnectionString="$db" Trove__ReadModelConnectionString="$db" \
      Trove__Auth__TokenKey="$(cat "$key_file")" Trove__ServersDirectory="$data/servers" Trove__BackupsDirectory="$data/backups" \
      setsid -f dotnet "$root/Trove.Web/bin/Release/net10.0/Trove.Web.dll" >>"$dir/node.log" 2>&1 </dev/null
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$((http + i))/" && break
    sleep 0.2
  done
  # the newest node process is the one just started
  pgrep -n -f "$root/Trove.Web/bin/Release/net10.0/Trove.Web.dll" > "$dir/node.pid"
  echo "node $i: http://127.0.0.1:$((http + i))/ (akka 127.0.0.1:$((4053 + i)), pid $(cat "$dir/node.pid"))"
}

# SIGTERM runs the node's coordinated shutdown: it hands its shards off and leaves before it exits.
stop_node() {
  local pid
  pid=$(cat "$data/node-$1/node.pid")
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}
