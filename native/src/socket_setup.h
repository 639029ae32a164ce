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

struct ProbeSocket {
  int fd = -1;
  int family = 0;
  SocketMode mode = SocketMode::Raw;
  uint16_t icmp_id = 0;  // raw: ours, checked in replies; ping: the kernel's (not needed)
  int receive_buffer_bytes = 0;
};

struct ProbeSocketOptions {
  int family;  // AF_INET or AF_INET6
  SocketModeRequest mode;
  uint16_t raw_icmp_id;
  int ttl;
  size_t packet_bytes;  // ICMP header + payload
  std::optional<in_addr> source_ipv4;
  std::optional<in6_addr> source_ipv6;
  std::string interface_name;
};

ProbeSocket open_probe_socket(const ProbeSocketOptions& options);
void close_probe_socket(ProbeSocket& socket);

}  // namespace pingsphere
