# Shared by scripts/cluster and scripts/rolling-restart: how local cluster node i is started and waited for.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$(realpath -m "${TROVE_DATA_DIR:-.trove-cluster}")"
http="${TROVE_HTTP_PORT:-8779}"
db="$(cat /etc/trove/postgres-connection);Database=${TROVE_CLUSTER_DATABASE:-trove}" # role trove, made by scripts/bootstrap
key_file="$data/token.key"
# One admin token for the nodes of this machine, readable by their OS user only; trove-admin takes it with --token-file.
admin_token="$data/admin.token"
guest_key_file="$data/guest-broker.key"
admin_dll="$root/Trove.Admin/bin/Release/net10.0/trove-admin.dll"
admin_args=(--token-file "$admin_token")
akka_port="${TROVE_AKKA_PORT:-4053}"   # node i: Akka remoting on akka_port+i, admin endpoint on admin_port+i
admin_port="${TROVE_ADMIN_PORT:-9110}"
umask 077 # the token key and the nodes' logs are root's alone: the servers' OS users only pass through $data

source "$root/scripts/lib/node-build.sh"
source "$root/scripts/lib/progress.sh"

build_release() {
  publish_node
  dotnet build "$root/Trove.Admin/Trove.Admin.csproj" -c Release -v q -nologo >/dev/null
}

# Builds git revision $1 of this repository (or the checkout at path $1) as it was released, in a temporary directory,
# and makes the nodes started next run it: node_dll and admin_dll point at its build. A release before the admin token
# (d88d1e5) takes no --token-file, and its trove-admin sends none.
use_release_of() {
  local tree="$1"
  if [ ! -d "$tree" ]; then
    tree="$(mktemp -d /tmp/trove-rev-XXXXXX)"
    release_tree="$tree" # about 200 MB once built: removed once no node runs it (remove_release_tree)
    git -C "$root" archive "$1" | tar -x -C "$tree"
    chmod 755 "$tree"
  fi
  (root="$tree" && publish_node && dotnet build "$tree/Trove.Admin/Trove.Admin.csproj" -c Release -v q -nologo >/dev/null)
  node_dll="$tree/Trove.Web/bin/Release/net10.0/$rid/publish/Trove.Web.dll"
  admin_dll="$tree/Trove.Admin/bin/Release/net10.0/trove-admin.dll"
  grep -q -- --token-file "$tree/scripts/trove-admin" 2>/dev/null || admin_args=()
}

# The temporary build use_release_of made, once every node it started has been restarted on this build.
remove_release_tree() {
  [ -z "${release_tree:-}" ] || rm -rf "$release_tree"
}

# Every node is a seed, so any of them, the first included, can restart and rejoin the others.
start_node() {
  local i=$1 dir="$data/node-$1" seeds=() j
  for j in $(seq 0 $((count - 1))); do seeds+=("Trove__SeedNodes__$j=akka.tcp://trove@127.0.0.1:$((akka_port + j))"); done
  mkdir -p "$dir"
  chmod 711 "$data"
  [ -f "$key_file" ] || head -c 32 /dev/urandom | base64 > "$key_file"
  chmod 600 "$key_file" # also a key an older script left world-readable
  [ -f "$admin_token" ] || head -c 32 /dev/urandom | base64 > "$admin_token"
  [ -f "$guest_key_file" ] || head -c 32 /dev/urandom | base64 > "$guest_key_file"
  touch "$dir/node.log" # made under umask 077, root's alone
  # umask 022 and TROVE_AMQP_URI for older releases (d88d1e5): a node of this one sets its own umask and reads
  # /etc/trove/amqp-uri, while those run their engines as the engines' own OS users in the servers directory they make,
  # and default to RabbitMQ's guest user, which bootstrap deletes
  umask 022
  env TROVE_DATA_DIR="$dir" TROVE_HTTP_PORT=$((http + i)) TROVE_AMQP_URI="$(cat /etc/trove/amqp-uri)" \
      Trove__AkkaPort=$((akka_port + i)) Trove__Admin__Port=$((admin_port + i)) Trove__Admin__TokenFile="$admin_token" "${seeds[@]}" \
      Trove__DatabaseProvider=PostgreSQL.15 Trove__JournalConnectionString="$db" Trove__ReadModelConnectionString="$db" \
      Trove__Auth__TokenKey="$(cat "$key_file")" Trove__Amqp__GuestSecret="$(cat "$guest_key_file")" Trove__ServersDirectory="$data/servers" Trove__BackupsDirectory="$data/backups" \
      setsid -f dotnet "$node_dll" >>"$dir/node.log" 2>&1 </dev/null
  umask 077
  step "node $i starting"
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$((http + i))/" && break
    sleep 0.2
  done
  # the newest node process is the one just started
  pgrep -n -f "$node_dll" > "$dir/node.pid"
  wait_ready "$i"
  step "node $i ready: http://127.0.0.1:$((http + i))/ (akka 127.0.0.1:$((akka_port + i)), admin 127.0.0.1:$((admin_port + i)), pid $(cat "$dir/node.pid"), $node_dll)"
}

# Waits until node i answers /health/ready: an Up member of the cluster, its journal answering, its broker connected.
wait_ready() {
  local url="http://127.0.0.1:$((http + $1))/health/ready" code
  for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
    [ "$code" = 200 ] && return 0
    if [ "$code" = 401 ] || [ "$code" = 404 ]; then # a release before the health endpoints (its fallback asks for a token)
      wait_up "$1"
      return
    fi
    sleep 0.2
  done
  echo "node $1 is not ready: $(curl -s "$url"); see $data/node-$1/node.log" >&2
  return 1
}

# Waits until node i's admin endpoint reports itself an Up member of the cluster (a release without /health/ready).
wait_up() {
  local out
  for _ in $(seq 1 300); do
    out=$(dotnet "$admin_dll" "127.0.0.1:$((admin_port + $1))" "${admin_args[@]}" cluster show 2>/dev/null || true)
    if [[ "$out" == *"(self)"* ]] && awk '/\(self\)/ && $3 == "Up" { found = 1 } END { exit !found }' <<<"$out"; then
      return 0
    fi
    sleep 0.2
  done
  echo "node $1 did not become Up; see $data/node-$1/node.log" >&2
  return 1
}

# SIGTERM runs the node's coordinated shutdown: it hands its shards off and leaves before it exits.
stop_node() {
  local pid
  pid=$(cat "$data/node-$1/node.pid")
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}
