// What a sweep is asked to do, what it reports per probe, and its counters.
#pragma once

#include <netinet/in.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pingsphere {

enum class SocketModeRequest { Auto, Raw, Ping };
enum class SocketMode { Raw, Ping };

inline const char* socket_mode_name(SocketMode mode) { return mode == SocketMode::Raw ? "raw" : "ping"; }

// Where a probe's send and receive times come from. Hardware: the NIC's clock at both ends;
// software: the kernel's, as the packet reaches the driver and as it comes in; user: the send
// time read before sendmmsg (and the kernel's receive time), as before kernel TX time stamps.
enum class TimestampRequest { Auto, Hardware, Software, User };
enum class TimestampMode { Hardware, Software, User };

inline const char* timestamp_mode_name(TimestampMode mode) {
  return mode == TimestampMode::Hardware ? "hardware" : mode == TimestampMode::Software ? "software" : "user";
}

constexpr uint32_t kMaxFlows = 64;

struct SweepConfig {
  // Targets: IPv4 first (indices [0, ipv4.size())), then IPv6. Addresses in network byte order.
  std::vector<in_addr> ipv4;
  std::vector<in6_addr> ipv6;
  uint32_t count = 1;              // probes per target
  int64_t period_ns = 1000000000;  // between successive probes to one target
  int64_t timeout_ns = 500000000;  // a reply later than this is late; the probe is reported lost
  double rate_pps = 10000;         // global send rate; 0 = unlimited
  uint32_t payload_bytes = 56;     // echo data bytes after the 8-byte ICMP header
  int ttl = 0;                     // IPv4 TTL / IPv6 hop limit; 0 = system default
  std::optional<in_addr> source_ipv4;
  std::optional<in6_addr> source_ipv6;
  std::string interface_name;  // SO_BINDTODEVICE when not empty
  SocketModeRequest socket_mode = SocketModeRequest::Auto;
  uint32_t chunk_probes = 4096;  // results handed to JavaScript per batch
  uint32_t senders = 0;          // sender threads, each with its own sockets; 0 = auto (see send_plan.h)
  TimestampRequest timestamps = TimestampRequest::Auto;
  // Probe `seq` of a target goes on flow (first_flow + seq) % flows: one ICMP id and checksum each.
  uint32_t flows = 1;
  uint32_t first_flow = 0;
  int stamp_queue_bytes = 0;  // receive buffer of the sockets whose error queue holds TX stamps; 0 = default

  uint32_t flow_of(uint32_t seq) const { return (first_flow + seq) % flows; }

  uint64_t target_count() const { return ipv4.size() + ipv6.size(); }
  uint64_t probe_count() const { return target_count() * count; }
};

// One batch of outcomes, column-wise so JavaScript gets typed arrays without per-probe objects.
struct ResultChunk {
  std::vector<uint32_t> target_index;
  std::vector<uint32_t> seq;
  std::vector<double> rtt_ns;        // -1 = lost
  std::vector<double> send_time_us;  // Unix epoch microseconds (exact in a double)
  std::vector<uint16_t> flow;

  size_t size() const { return target_index.size(); }
  void reserve(size_t n) {
    target_index.reserve(n);
    seq.reserve(n);
    rtt_ns.reserve(n);
    send_time_us.reserve(n);
    flow.reserve(n);
  }
  void push(uint32_t target, uint32_t probe_seq, double rtt, double send_us, uint16_t probe_flow) {
    target_index.push_back(target);
    seq.push_back(probe_seq);
    rtt_ns.push_back(rtt);
    send_time_us.push_back(send_us);
    flow.push_back(probe_flow);
  }
};

// Every counter a sweep keeps: nothing is dropped without being counted here.
struct SweepCounters {
  std::atomic<uint64_t> sent{0};                // probes handed to the kernel (including send errors)
  std::atomic<uint64_t> send_errors{0};         // sendmmsg refused the probe (no route, ...): reported lost
  std::atomic<uint64_t> replies{0};             // valid replies reported with an RTT
  std::atomic<uint64_t> lost{0};                // probes reported lost (no valid reply within the timeout)
  std::atomic<uint64_t> duplicates{0};          // valid replies for a probe already answered
  std::atomic<uint64_t> late{0};                // valid replies after the timeout
  std::atomic<uint64_t> bad_cookie{0};          // echo replies for our id whose cookie, source or index fails
  std::atomic<uint64_t> foreign{0};             // other packets that reached the socket (malformed, not ours)
  std::atomic<uint64_t> kernel_drops{0};        // SO_RXQ_OVFL: dropped by a full receive queue
  std::atomic<uint64_t> user_timestamps{0};     // replies without a kernel receive stamp (clock read in user space)
  std::atomic<uint64_t> tx_stamps{0};           // kernel (or NIC) TX stamps read from the error queues
  std::atomic<uint64_t> tx_stamp_fallbacks{0};  // replies timed from the user send time: TX stamp missing
};

}  // namespace pingsphere
