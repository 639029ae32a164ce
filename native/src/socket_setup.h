// Opening the probe sockets: raw ICMP where the process has CAP_NET_RAW, otherwise unprivileged
// ping sockets (SOCK_DGRAM/IPPROTO_ICMP) where net.ipv4.ping_group_range allows, otherwise an
// error that names both fixes.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "sweep_config.h"

namespace pingsphere {

// A failure the user can act on: `code` is stable for the TypeScript wrapper, `hint` says the fix.
class SocketError : public std::runtime_error {
 public:
  SocketError(std::string code, int err, const std::string& message, std::string hint)
      : std::runtime_error(message), code(std::move(code)), err(err), hint(std::move(hint)) {}
  std::string code;
  int err;
  std::string hint;
};

// What a socket is for. Raw mode: each sender sends on its own sockets and one receive socket
// per family takes every reply (ids are per flow, not per sender). Ping mode: the kernel routes a
// reply by its id to the socket that owns it, so one socket per flow both sends and receives.
enum class SocketRole { Send, Receive, SendReceive };

struct ProbeSocket {
  int fd = -1;
  int family = 0;
  SocketMode mode = SocketMode::Raw;
  SocketRole role = SocketRole::SendReceive;
  uint16_t icmp_id = 0;  // ping: the id the kernel gave it (its flow's id); raw: unused
  int receive_buffer_bytes = 0;

  bool sends() const { return role != SocketRole::Receive; }
  bool receives() const { return role != SocketRole::Send; }
};

struct ProbeSocketOptions {
  int family;  // AF_INET or AF_INET6
  SocketModeRequest mode;
  SocketRole role;
  TimestampMode timestamps;
  // Raw receive sockets accept echo replies whose id is in [first_reply_id, first_reply_id + reply_ids).
  uint16_t first_reply_id;
  uint16_t reply_ids;
  int ttl;
  size_t packet_bytes;  // ICMP header + payload
  std::optional<in_addr> source_ipv4;
  std::optional<in6_addr> source_ipv6;
  std::string interface_name;
  int stamp_queue_bytes;  // receive buffer of a sending socket (its error queue holds TX stamps); 0 = default
  // A trace's socket (raw only): takes echo replies, time-exceeded and unreachable messages of
  // any id (the trace validates them itself), not just the sweep's echo replies.
  bool trace_messages = false;
};

// Which sockets this process may open for `family` (raw first when the request allows): throws the
// SocketError that names the fix when neither is allowed.
SocketMode resolve_socket_mode(int family, SocketModeRequest request);

ProbeSocket open_probe_socket(const ProbeSocketOptions& options);
void close_probe_socket(ProbeSocket& socket);

}  // namespace pingsphere
