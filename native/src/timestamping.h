// Kernel and NIC time stamps for probes: which kind a sweep can have (`--timestamps auto` picks
// the best), the SO_TIMESTAMPING flags each socket gets, and how a stamp is read from a control
// message. TX stamps come back on each sending socket's error queue, one per probe, keyed with
// the probe's index (SCM_TS_OPT_ID on every sendmmsg message), so matching them needs no state
// shared with the sender and survives lost or reordered stamps.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "sweep_config.h"

namespace pingsphere {

// SCM_TS_OPT_ID (Linux 6.13) is newer than the C library's headers on many systems.
#ifndef SCM_TS_OPT_ID
#define SCM_TS_OPT_ID 81
#endif

// The time stamps a sweep runs with, and why when it is less than asked.
struct TimestampChoice {
  TimestampMode mode;
  std::string note;  // e.g. "kernel TX stamps need Linux 6.13 (SCM_TS_OPT_ID)"; empty when as asked
};

// Resolves the request against this kernel and, for hardware stamps, the NIC of `interface_name`
// (enabling its time stamping when asked for hardware and it is off). Throws SocketError when an
// explicit request cannot be met.
TimestampChoice choose_timestamps(TimestampRequest request, const std::string& interface_name);

// Sets SO_TIMESTAMPING (or SO_TIMESTAMPNS for user stamps) on a probe socket: TX stamps on sockets
// that send, receive stamps on sockets that take replies.
void enable_timestamps(int fd, TimestampMode mode, bool sends, bool receives);

// One time stamp from a control message: kernel (software) and NIC (hardware) clocks, 0 = absent.
struct Stamp {
  int64_t software_ns = 0;
  int64_t hardware_ns = 0;
  // The stamp of the sweep's clock: what RTTs are computed in.
  int64_t in(TimestampMode mode) const { return mode == TimestampMode::Hardware ? hardware_ns : software_ns; }
};

// Reads SCM_TIMESTAMPING or SCM_TIMESTAMPNS into `stamp`; returns false for other messages.
bool read_stamp(const cmsghdr* message, Stamp& stamp);

// For an error-queue control message: true (and the probe key) when it reports a TX time stamp.
bool read_tx_stamp_key(const cmsghdr* message, uint32_t& key);

}  // namespace pingsphere
