#!/bin/bash
# A tenant's session with the upstream OpenStack client (python3-troveclient, unmodified) against a running node.
# Needs OS_AUTH_URL (the node's /v3) and DATASTORE / DATASTORE_VERSION; fails on the first command that does not do its job.
set -euo pipefail
export OS_USERNAME=${OS_USERNAME:-demo} OS_PASSWORD=${OS_PASSWORD:-demo} OS_PROJECT_NAME=${OS_PROJECT_NAME:-demo}
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3
os() { echo "\$ openstack $*" >&2; openstack "$@"; }
# grep reads all of its input (no -q), so the client never dies of SIGPIPE under pipefail
expect() { grep -- "$1" >/dev/null || { echo "expected '$1' in the output above" >&2; exit 1; }; }

os database flavor list -f value | expect small
os datastore list -f value | expect "$DATASTORE"
os datastore version list "$DATASTORE" -f value | expect "$DATASTORE_VERSION"

id=$(os database instance create "cli-$DATASTORE" --flavor small --size 1 --datastore "$DATASTORE" \
      --datastore-version "$DATASTORE_VERSION" --databases appdb --users app:Cli-pass-1 -f value -c id)
for _ in $(seq 1 180); do
  status=$(os database instance show "$id" -f value -c status)
  [ "$status" = ACTIVE ] && break
  [ "$status" = ERROR ] && { echo "instance $id is in ERROR" >&2; exit 1; }
  sleep 0.5
done
[ "$status" = ACTIVE ]
os database instance list -f value | expect "$id"

os database db create "$id" db2
os database db list "$id" -f value | expect db2
os database user create "$id" u2 Cli-pass-2 --databases db2
os database user list "$id" -f value | expect u2
os database user show "$id" u2 -f value | expect db2
os database user grant access "$id" u2 appdb
os database user show access "$id" u2 -f value | expect appdb
os database user revoke access "$id" u2 appdb
os database user delete "$id" u2
os database db delete "$id" db2
os database root enable "$id" -f value | expect .
os database root show "$id" -f value | expect True
os database root disable "$id"
os database limit list -f value | expect "max_instances\|ABSOLUTE\|MINUTE"
os database quota show "$OS_PROJECT_NAME" -f value | expect instances
os database instance restart "$id"
os database instance delete "$id"
for _ in $(seq 1 120); do
  os database instance list -f value | grep -- "$id" >/dev/null || exit 0
  sleep 0.5
done
echo "instance $id was not deleted" >&2
exit 1
