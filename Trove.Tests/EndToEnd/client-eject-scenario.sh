#!/bin/bash
# Failover with the upstream client: a PostgreSQL source and its replica; the source's guest and engine die (killed
# here, by the pids their server directory names); once its silence passes the heartbeat expiry, `instance eject`
# makes the replica the source. Needs OS_AUTH_URL and SERVERS_DIR (the node's servers directory).
set -euo pipefail
export OS_USERNAME=demo OS_PASSWORD=demo OS_PROJECT_NAME=demo
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3
os() { echo "\$ openstack $*" >&2; openstack "$@"; }
source "$(dirname "$0")/client-lib.sh"

id=$(os database instance create "cli-eject" --flavor small --size 1 --datastore postgresql --datastore-version 15 \
      --databases appdb --users app:Cli-pass-1 -f value -c id)
wait_status instance "$id" ACTIVE
replica=$(os database instance create "cli-eject-replica" --replica-of "$id" -f value -c id)
wait_status instance "$replica" ACTIVE

kill -KILL "$(cat "$SERVERS_DIR/$id/guest.pid")" "$(head -1 "$SERVERS_DIR/$id/postgres/data/postmaster.pid")"
for _ in $(seq 1 120); do
  refused=$(os database instance eject "$id" 2>&1) && break
  echo "$refused" | expect "cannot be ejected as it has a current heartbeat"
  sleep 0.5
done
for _ in $(seq 1 120); do
  [ "$(os database instance show "$replica" -f value -c status)" = ACTIVE ] &&
    ! os database instance show "$replica" -f json | grep -- '"replica_of"' >/dev/null && break
  sleep 0.5
done
os database instance show "$replica" -f json | { ! grep -- '"replica_of"'; } >/dev/null || { echo "the replica still follows" >&2; exit 1; }
os database instance show "$id" -f json | { ! grep -- "$replica"; } >/dev/null || { echo "the old source still lists it" >&2; exit 1; }

os database instance delete "$replica"
os database instance delete "$id"
wait_gone "$replica"
wait_gone "$id"
