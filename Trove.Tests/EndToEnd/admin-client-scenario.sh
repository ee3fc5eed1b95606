#!/bin/bash
# An operator's session with the upstream OpenStack client (python3-troveclient, unmodified) against a running node:
# the admin (role admin, project admin) acts on the demo tenant's instance and backup through its own project path,
# sets quotas and manages datastore versions. Needs OS_AUTH_URL; fails on the first command that does not do its job.
set -euo pipefail
export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3
tenant() { echo "\$ [demo] openstack $*" >&2; OS_USERNAME=demo OS_PASSWORD=demo OS_PROJECT_NAME=demo openstack "$@"; }
admin() { echo "\$ [admin] openstack $*" >&2; OS_USERNAME=admin OS_PASSWORD=admin OS_PROJECT_NAME=admin openstack "$@"; }
# grep reads all of its input (no -q), so the client never dies of SIGPIPE under pipefail
expect() { grep -- "$1" >/dev/null || { echo "expected '$1' in the output above" >&2; exit 1; }; }
wait_for() { # instance or backup status
  local kind=$1 id=$2 want=$3 status
  for _ in $(seq 1 180); do
    status=$(tenant database "$kind" show "$id" -f value -c status)
    [ "$status" = "$want" ] && return 0
    case "$status" in ERROR|FAILED) echo "$kind $id is $status" >&2; exit 1 ;; esac
    sleep 0.5
  done
  echo "$kind $id is $status, not $want" >&2; exit 1
}

id=$(tenant database instance create "ops-$RANDOM" --flavor small --size 1 --datastore postgresql --datastore-version 15 -f value -c id)
wait_for instance "$id" ACTIVE
backup=$(tenant database backup create "ops-bk" --instance "$id" -f value -c id)
wait_for backup "$backup" COMPLETED

# The tenant's resources, reached by the admin.
admin database instance show "$id" -f value -c status | expect "^ACTIVE\$"
admin database backup show "$backup" -f value -c project_id | expect "^demo\$"
admin database backup list --all-projects -f value -c ID | expect "^$backup\$"
admin database backup list --project-id demo -f value -c ID | expect "^$backup\$"
admin database backup list instance "$id" -f value -c ID | expect "^$backup\$"
admin database instance reset status "$id"
admin database instance show "$id" -f value -c status | expect "^\(ACTIVE\|ERROR\)\$"

# Quotas.
admin database quota show demo -f value | expect "instances"
before=$(admin database quota show demo -f value -c Resource -c Limit | awk '$1 == "instances" { print $2 }')
admin database quota update demo instances 17 -f value | expect 17
admin database quota show demo -f value -c Resource -c Limit | expect "^instances 17\$"
admin database quota update demo instances "$before" >/dev/null

# Datastore versions.
name="15-ops$RANDOM"
admin datastore version create "$name" postgresql postgresql "" --active
version=$(admin datastore version list postgresql -f value -c ID -c Name | awk -v n="$name" '$2 == n { print $1 }')
[ -n "$version" ] || { echo "version $name was not listed" >&2; exit 1; }
admin datastore version show "$version" -f value -c name | expect "^$name\$"
admin datastore version set "$version" --disable
tenant datastore version list postgresql -f value -c Name | { ! grep -x -- "$name"; } >/dev/null \
  || { echo "the disabled version $name is still offered to tenants" >&2; exit 1; }

# Force delete: reset, then delete, as upstream's client does.
tenant database backup delete "$backup"
admin database instance force delete "$id"
for _ in $(seq 1 120); do
  tenant database instance list -f value | grep -- "$id" >/dev/null || exit 0
  sleep 0.5
done
echo "instance $id was not deleted" >&2
exit 1
