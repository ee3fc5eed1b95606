# Shared by the upstream client scenarios (sourced): each defines `os`, the client as its caller runs it.
# With OPENSTACK_ZYGOTE set (UpstreamClientTests does), each `openstack` command runs forked from a warm client
# (openstack-zygote.py): the same client, argv, environment and streams, without re-importing it every time.
if [ -n "${OPENSTACK_ZYGOTE:-}" ]; then
  openstack() { /usr/bin/python3 -I -S "$(dirname "${BASH_SOURCE[0]}")/openstack-stub.py" "$@"; }
fi

# grep reads all of its input (no -q), so the client never dies of SIGPIPE under pipefail
expect() { grep -- "$1" >/dev/null || { echo "expected '$1' in the output above" >&2; exit 1; }; }

# wait_status instance|backup ID STATUS: fails at once on ERROR or FAILED, or after 90 s.
wait_status() {
  local kind=$1 id=$2 want=$3 status
  for _ in $(seq 1 180); do
    status=$(os database "$kind" show "$id" -f value -c status)
    [ "$status" = "$want" ] && return 0
    case "$status" in ERROR|FAILED) echo "$kind $id is $status" >&2; exit 1 ;; esac
    sleep 0.5
  done
  echo "$kind $id is $status, not $want" >&2; exit 1
}

# wait_gone ID: the instance is no longer listed (its delete finished), within 60 s.
wait_gone() {
  for _ in $(seq 1 120); do
    os database instance list -f value | grep -- "$1" >/dev/null || return 0
    sleep 0.5
  done
  echo "instance $1 was not deleted" >&2; exit 1
}
