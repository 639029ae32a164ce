#include "socket_setup.h"

#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "icmp_packet.h"
#include "timestamping.h"

namespace pingsphere {
namespace {

// Receive queue big enough to absorb a 1 M-target sweep's reply bursts while the receiver thread
// is busy; SO_RCVBUFFORCE exceeds net.core.rmem_max when we have CAP_NET_ADMIN.
constexpr int kReceiveBufferBytes = 64 << 20;
constexpr int kSendBufferBytes = 4 << 20;
// A sending socket's error queue: room for ~40,000 TX stamps (each takes ~800 bytes of buffer),
// a quarter of a second of an unlimited sweep on a receiver thread that gets no CPU meanwhile
// (seen on a loaded 2-core machine with 8 MiB: 22 % of the stamps dropped), before the kernel
// drops stamps (those probes fall back to the user send time, counted). Only stamps that wait
// take memory.
constexpr int kStampQueueBytes = 32 << 20;
// Every IPv4 host must take datagrams of this size (RFC 791) and no real path MTU is below it.
constexpr size_t kSafeUnfragmentedIpv4Bytes = 576;
constexpr size_t kIpv4HeaderBytes = 20;
// ICMP_FILTER and its bit mask of blocked types, from <linux/icmp.h> (which clashes with <net/if.h>).
constexpr int kIcmpFilterOption = 1;
struct IcmpTypeFilter {
  uint32_t blocked_types;
};
constexpr int kIcmpEchoReplyType = 0;

const char* kPrivilegeHint =
    "grant raw sockets with `sudo setcap cap_net_raw+ep $(which node)`, or allow unprivileged ping sockets "
    "for your group with `sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`";

std::string errno_text(int err) { return std::string(strerror(err)); }

void set_int_option(int fd, int level, int name, int value, const char* what) {
  if (setsockopt(fd, level, name, &value, sizeof value) != 0) {
    const int err = errno;
    throw SocketError("ESOCKOPT", err, std::string("cannot set ") + what + ": " + errno_text(err),
                      "this kernel may lack the option; report it with `uname -r`");
  }
}

// Classic BPF on a raw receive socket so only echo replies whose id is one of our flows' reach
// the receiver thread (a raw ICMP socket otherwise gets every ICMP packet of the host, including
// our own requests): accept when (id - first_id) mod 2^16 < ids.
void attach_reply_filter(int fd, int family, uint16_t first_id, uint16_t ids) {
  const uint8_t reply_type = family == AF_INET ? uint8_t{kIcmp4EchoReply} : uint8_t{kIcmp6EchoReply};
  std::vector<sock_filter> code;
  if (family == AF_INET) {
    // Raw IPv4 sockets see the IP header first: X = its length, then read the ICMP header at X.
    code = {
        BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
        BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, reply_type, 0, 5),
        BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),
    };
  } else {
    // Raw ICMPv6 sockets start at the ICMPv6 header.
    code = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, reply_type, 0, 5),
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),
    };
  }
  const std::vector<sock_filter> id_in_range = {
      BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, first_id),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xffff),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ids, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  code.insert(code.end(), id_in_range.begin(), id_in_range.end());
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    const int err = errno;
    throw SocketError("ESOCKOPT", err, "cannot attach the reply filter (SO_ATTACH_FILTER): " + errno_text(err),
                      "the kernel needs CONFIG_BPF (socket filters)");
  }
}

// The kernel's own type filter runs before a raw socket clones the packet: what it blocks is never
// copied to the socket, which the BPF filter alone cannot avoid (~6 % less CPU per probe on
// loopback for a receive socket that passes only echo replies). Sending sockets block everything.
void set_icmp_type_filter(int fd, int family, bool pass_echo_replies) {
  if (family == AF_INET) {
    const IcmpTypeFilter filter{pass_echo_replies ? ~(uint32_t{1} << kIcmpEchoReplyType) : ~uint32_t{0}};
    if (setsockopt(fd, SOL_RAW, kIcmpFilterOption, &filter, sizeof filter) != 0) {
      const int err = errno;
      throw SocketError("ESOCKOPT", err, "cannot set ICMP_FILTER: " + errno_text(err), "");
    }
    return;
  }
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  if (pass_echo_replies) ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
  if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) {
    const int err = errno;
    throw SocketError("ESOCKOPT", err, "cannot set ICMP6_FILTER: " + errno_text(err), "");
  }
}

// A trace's raw socket: echo replies and the errors that quote a probe (time exceeded,
// destination unreachable). No id filter: a trace's ids are keyed per target (trace_probe.h).
void set_trace_type_filter(int fd, int family) {
  if (family == AF_INET) {
    constexpr uint32_t kPassed = (uint32_t{1} << 0) | (uint32_t{1} << 3) | (uint32_t{1} << 11);
    const IcmpTypeFilter filter{~kPassed};
    if (setsockopt(fd, SOL_RAW, kIcmpFilterOption, &filter, sizeof filter) != 0) {
      const int err = errno;
      throw SocketError("ESOCKOPT", err, "cannot set ICMP_FILTER: " + errno_text(err), "");
    }
    return;
  }
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
  ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &filter);
  ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &filter);
  if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) {
    const int err = errno;
    throw SocketError("ESOCKOPT", err, "cannot set ICMP6_FILTER: " + errno_text(err), "");
  }
}

// A sending raw socket takes nothing in (ICMP types >= 32 pass ICMP_FILTER; this stops them too).
void attach_drop_all_filter(int fd) {
  sock_filter code[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
  sock_fprog program{1, code};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0) {
    const int err = errno;
    throw SocketError("ESOCKOPT", err, "cannot attach a socket filter (SO_ATTACH_FILTER): " + errno_text(err),
                      "the kernel needs CONFIG_BPF (socket filters)");
  }
}

// Binds to the source address (any when none was given); a ping socket also gets its id here.
void bind_source(int fd, const ProbeSocketOptions& options, bool ping) {
  sockaddr_in6 address{};
  socklen_t length;
  if (options.family == AF_INET) {
    if (!options.source_ipv4 && !ping) return;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_addr.s_addr = options.source_ipv4 ? options.source_ipv4->s_addr : htonl(INADDR_ANY);
    length = sizeof(sockaddr_in);
  } else {
    if (!options.source_ipv6 && !ping) return;
    address.sin6_family = AF_INET6;
    address.sin6_addr = options.source_ipv6 ? *options.source_ipv6 : in6addr_any;
    length = sizeof(sockaddr_in6);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    const int err = errno;
    const bool v6 = options.family == AF_INET6;
    throw SocketError(
        "ESOURCE", err,
        std::string(v6 ? "cannot use the IPv6 source address: " : "cannot use the source address: ") + errno_text(err),
        v6 ? "give an address assigned to this host (see `ip -6 addr`)"
           : "give an address assigned to this host (see `ip addr`)");
  }
}

// The id the kernel gave a bound ping socket (its "port").
uint16_t ping_socket_id(int fd) {
  sockaddr_in6 address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const int err = errno;
    throw SocketError("ESOCKOPT", err, "cannot read the ping socket's id: " + errno_text(err), "");
  }
  const uint16_t port =
      address.sin6_family == AF_INET6 ? address.sin6_port : reinterpret_cast<sockaddr_in*>(&address)->sin_port;
  return ntohs(port);
}

int open_fd(int family, SocketModeRequest request, SocketMode& mode) {
  const int protocol = family == AF_INET ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
  const char* family_name = family == AF_INET ? "ICMP" : "ICMPv6";
  int raw_err = 0;
  if (request != SocketModeRequest::Ping) {
    const int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (fd >= 0) {
      mode = SocketMode::Raw;
      return fd;
    }
    raw_err = errno;
    if (request == SocketModeRequest::Raw) {
      throw SocketError("EPERM_RAW", raw_err,
                        std::string("cannot open a raw ") + family_name + " socket: " + errno_text(raw_err),
                        "raw sockets need CAP_NET_RAW: run `sudo setcap cap_net_raw+ep $(which node)`");
    }
  }
  const int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, protocol);
  if (fd >= 0) {
    mode = SocketMode::Ping;
    return fd;
  }
  const int ping_err = errno;
  if (request == SocketModeRequest::Ping) {
    throw SocketError(
        "EPERM_PING", ping_err,
        std::string("cannot open an unprivileged ") + family_name + " ping socket: " + errno_text(ping_err),
        "allow ping sockets for your group: `sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"`");
  }
  throw SocketError("EPERM_ICMP", ping_err,
                    std::string("no permission to send ") + family_name + " echo requests (raw socket: " +
                        errno_text(raw_err) + "; ping socket: " + errno_text(ping_err) + ")",
                    kPrivilegeHint);
}

}  // namespace

SocketMode resolve_socket_mode(int family, SocketModeRequest request) {
  SocketMode mode;
  close(open_fd(family, request, mode));
  return mode;
}

ProbeSocket open_probe_socket(const ProbeSocketOptions& options) {
  ProbeSocket result;
  result.family = options.family;
  result.role = options.role;
  result.fd = open_fd(options.family, options.mode, result.mode);
  try {
    const int fd = result.fd;
    // Replies need a big queue; a socket that only sends holds TX stamps in its error queue,
    // which counts against the same buffer. FORCE exceeds net.core.rmem_max with CAP_NET_ADMIN.
    const int wanted = result.receives()               ? kReceiveBufferBytes
                       : options.stamp_queue_bytes > 0 ? options.stamp_queue_bytes
                                                       : kStampQueueBytes;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &wanted, sizeof wanted) != 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &wanted, sizeof wanted);
    }
    if (result.sends() && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &kSendBufferBytes, sizeof kSendBufferBytes) != 0) {
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSendBufferBytes, sizeof kSendBufferBytes);
    }
    socklen_t len = sizeof result.receive_buffer_bytes;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &result.receive_buffer_bytes, &len);
    enable_timestamps(fd, options.timestamps, result.sends(), result.receives());
    if (result.receives()) set_int_option(fd, SOL_SOCKET, SO_RXQ_OVFL, 1, "SO_RXQ_OVFL (receive drop counter)");
    if (options.family == AF_INET && kIpv4HeaderBytes + options.packet_bytes <= kSafeUnfragmentedIpv4Bytes) {
      // Probes this small go out with DF set anyway (the default PMTU mode sets it when the packet
      // fits); saying so explicitly lets the kernel leave the IP ID at 0 (RFC 6864, atomic
      // datagrams) instead of hashing the addresses for a fresh ID per probe: ~4 % less CPU per
      // probe on loopback. Larger probes keep the default, so they may still be fragmented.
      set_int_option(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE, "IP_MTU_DISCOVER");
    }
    if (options.ttl > 0) {
      if (options.family == AF_INET) {
        set_int_option(fd, IPPROTO_IP, IP_TTL, options.ttl, "IP_TTL");
      } else {
        set_int_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, options.ttl, "IPV6_UNICAST_HOPS");
      }
    }
    if (!options.interface_name.empty()) {
      if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, options.interface_name.c_str(),
                     static_cast<socklen_t>(options.interface_name.size())) != 0) {
        const int err = errno;
        throw SocketError("EINTERFACE", err,
                          "cannot bind to interface \"" + options.interface_name + "\": " + errno_text(err),
                          "check the name with `ip link` (binding to a device may need CAP_NET_RAW)");
      }
    }
    bind_source(fd, options, result.mode == SocketMode::Ping);
    if (result.mode == SocketMode::Ping) {
      result.icmp_id = ping_socket_id(fd);
    } else if (options.trace_messages) {
      set_trace_type_filter(fd, options.family);
    } else if (result.receives()) {
      set_icmp_type_filter(fd, options.family, true);
      attach_reply_filter(fd, options.family, options.first_reply_id, options.reply_ids);
    } else {
      set_icmp_type_filter(fd, options.family, false);
      attach_drop_all_filter(fd);
    }
  } catch (...) {
    close(result.fd);
    result.fd = -1;
    throw;
  }
  return result;
}

void close_probe_socket(ProbeSocket& socket) {
  if (socket.fd >= 0) close(socket.fd);
  socket.fd = -1;
}

}  // namespace pingsphere
