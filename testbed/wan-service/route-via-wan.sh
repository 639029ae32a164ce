#!/bin/sh
# Sidecar of one collector (docker-compose.wan.yml: network_mode service:COLLECTOR): in the
# collector's network namespace, routes its traffic for the other collectors through the `wan`
# service (`ip route replace PEER/32 via WAN`), so the collector needs no capability beyond
# NET_RAW. Re-applied every 10 s: a restarted peer may come back on another address.
#
# Environment: WAN_SITES the collectors' host names; WAN_SELF this collector's; WAN_HOST the
# router's (default wan); WAN_ONCE=1 applies the routes once and exits.
set -eu
: "${WAN_SITES:?set WAN_SITES to the collectors host names}"
: "${WAN_SELF:?set WAN_SELF to this collector s host name}"
router=${WAN_HOST:-wan}

first() { getent ahostsv4 "$1" | awk 'NR == 1 { print $1 }'; }

while :; do
  via=$(first "$router" || true)
  if [ -n "$via" ]; then
    for name in $WAN_SITES; do
      [ "$name" = "$WAN_SELF" ] && continue
      address=$(first "$name" || true)
      [ -n "$address" ] && ip route replace "$address/32" via "$via"
    done
  else
    echo "route-via-wan: $router does not resolve yet" >&2
  fi
  [ "${WAN_ONCE:-0}" = 1 ] && exit 0
  sleep 10
done
