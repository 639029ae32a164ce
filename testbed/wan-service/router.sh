#!/bin/sh
# The compose stack's WAN router (docker-compose.wan.yml). Runs the WAN emulator on a TUN device
# `wan0` and sends every packet that reaches this container from the compose network (and is not
# for it) through it: `ip rule iif $WAN_IFACE lookup 100`, table 100 = `default dev wan0`. What the
# emulator writes back is routed by the main table to its destination on the same network. The
# collectors send their traffic for each other here (route-via-wan.sh, one sidecar each).
#
# Environment: WAN_SITES  the collectors' host names in the model's site order ("fra virginia …")
#              WAN_MODEL  the emulator's path commands (default: model.txt beside this script)
#              WAN_IFACE  the interface on the compose network (default eth0)
#              WAN_DAY_MS the busy hour's compressed day (default 240000: a day in four minutes)
# Needs CAP_NET_ADMIN, /dev/net/tun and the sysctls docker-compose.wan.yml sets (forwarding on,
# rp_filter and redirects off); it checks them rather than writing /proc/sys (read-only there).
set -eu
here=$(dirname "$0")
: "${WAN_SITES:?set WAN_SITES to the collectors host names, in the order of the model sites}"
model=${WAN_MODEL:-$here/model.txt}
iface=${WAN_IFACE:-eth0}
day_ms=${WAN_DAY_MS:-240000}

die() {
  echo "wan: $*" >&2
  exit 1
}
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || die "IPv4 forwarding is off: set the sysctl net.ipv4.ip_forward=1"
[ "$(cat /proc/sys/net/ipv4/conf/all/rp_filter)" = 0 ] || die "set the sysctls net.ipv4.conf.all.rp_filter=0 and net.ipv4.conf.default.rp_filter=0"
[ -r "$model" ] || die "no model at $model"

resolve() {
  for _ in $(seq 1 60); do
    address=$(getent ahostsv4 "$1" | awk 'NR == 1 { print $1 }')
    [ -n "$address" ] && { echo "$address"; return 0; }
    sleep 1
  done
  die "$1 does not resolve after 60 s"
}

commands=$(mktemp -u /tmp/wan-commands.XXXXXX)
mkfifo "$commands"
wan-emulator wan0 <"$commands" &
emulator=$!
exec 3>"$commands"
trap 'kill -TERM "$emulator" 2>/dev/null' TERM INT
for _ in $(seq 1 50); do ip link show wan0 >/dev/null 2>&1 && break; sleep 0.1; done
ip link set wan0 up
ip route replace default dev wan0 table 100
ip rule del iif "$iface" lookup 100 pref 100 2>/dev/null || true
ip rule add iif "$iface" lookup 100 pref 100

index=0
for name in $WAN_SITES; do
  address=$(resolve "$name")
  echo "wan: site $index = $name ($address)"
  echo "site $index $address/32" >&3
  index=$((index + 1))
done
# The emulated day starts at noon, as in `npm run demo`.
now_ms=$(date +%s%3N)
echo "clock period=$day_ms epoch=$((now_ms - day_ms / 2))" >&3
grep -v '^#' "$model" >&3
echo "wan: up, every packet from $iface to a collector crosses the emulator (pid $emulator)"
wait "$emulator"
