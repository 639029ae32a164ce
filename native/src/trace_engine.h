// One trace run (#14): every target's every flow, TTL by TTL, from one thread on one raw socket
// per family. Beside the sweep engine, not inside it: a trace sends far fewer probes than a sweep
// (targets × flows × hops × probes per hop, at most 2^24), needs the ICMP errors a sweep's
// filters drop, and changes the TTL per round, so it shares the packet layout, cookie, socket
// set-up and time stamping with the sweep but none of the sweep's hot path.
//
// Probes go out round by round: slot 0 (first TTL, probe 0) to every target and flow, then slot
// 1, … A target's flow that already answered with an echo reply (or an unreachable) below the
// round's TTL gets no more probes (counted as skipped), so a trace of many targets costs about
// targets × flows × (path length + what is in flight) probes, not × max hops.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cookie.h"
#include "socket_setup.h"
#include "sweep_config.h"
#include "timestamping.h"

namespace pingsphere {

constexpr uint64_t kMaxTraceProbes = uint64_t{1} << 24;
constexpr uint32_t kMaxTraceProbesPerHop = 16;

struct TraceConfig {
  std::vector<in_addr> ipv4;  // targets: IPv4 first, then IPv6 (indices as in a sweep)
  std::vector<in6_addr> ipv6;
  uint32_t flows = 1;
  uint32_t first_ttl = 1;
  uint32_t max_ttl = 30;
  uint32_t probes_per_hop = 3;
  double rate_pps = 1000;  // 0 = unlimited
  int64_t timeout_ns = 2000000000;
  uint32_t payload_bytes = 32;
  TimestampRequest timestamps = TimestampRequest::Auto;
  std::string interface_name;
  uint32_t chunk_probes = 4096;

  uint32_t hops() const { return max_ttl - first_ttl + 1; }
  uint32_t slots() const { return hops() * probes_per_hop; }
  uint64_t target_count() const { return ipv4.size() + ipv6.size(); }
  uint64_t probe_count() const { return target_count() * flows * slots(); }
};

// What answered a probe.
enum class TraceOutcome : uint8_t { Lost = 0, TimeExceeded = 1, EchoReply = 2, Unreachable = 3 };

// Outcomes, column-wise. Responders are numbered in order of first appearance over the run; each
// chunk carries the addresses first seen in it (`new_responders`, in number order).
struct TraceChunk {
  std::vector<uint32_t> target_index;
  std::vector<uint16_t> flow;
  std::vector<uint8_t> ttl;
  std::vector<uint8_t> probe;  // 0 … probes_per_hop - 1
  std::vector<uint8_t> outcome;
  std::vector<double> rtt_ns;  // -1 when lost
  std::vector<int32_t> responder;  // -1 when lost
  std::vector<double> send_time_us;
  std::vector<std::string> new_responders;

  size_t size() const { return target_index.size(); }
};

struct TraceCounters {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> skipped{0};          // not sent: the target's flow had answered below this TTL
  std::atomic<uint64_t> send_errors{0};      // refused by sendmmsg (reported lost)
  std::atomic<uint64_t> echo_replies{0};     // valid echo replies (the destination)
  std::atomic<uint64_t> time_exceeded{0};    // valid time-exceeded messages (a router)
  std::atomic<uint64_t> unreachable{0};      // valid destination-unreachable messages
  std::atomic<uint64_t> header_only{0};      // of those, validated by the quoted header alone (payload not quoted)
  std::atomic<uint64_t> lost{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> late{0};
  std::atomic<uint64_t> bad_cookie{0};       // about one of our targets but failing validation: not reported
  std::atomic<uint64_t> foreign{0};          // other ICMP on the socket (not about a probe of this trace)
  std::atomic<uint64_t> kernel_drops{0};
  std::atomic<uint64_t> tx_stamps{0};
  std::atomic<uint64_t> tx_stamp_fallbacks{0};
};

class TraceEngine {
 public:
  using ChunkHandler = std::function<void(TraceChunk&&)>;
  using DoneHandler = std::function<void(const std::string& error)>;

  explicit TraceEngine(TraceConfig config);  // opens the sockets (throws SocketError)
  ~TraceEngine();
  TraceEngine(const TraceEngine&) = delete;
  TraceEngine& operator=(const TraceEngine&) = delete;

  void start(ChunkHandler on_chunk, DoneHandler on_done);
  void stop();  // stops sending; what is in flight is reported lost at once
  void join();

  const TraceCounters& counters() const { return counters_; }
  const TimestampChoice& timestamps() const { return timestamps_; }
  uint64_t probes_planned() const { return config_.probe_count(); }
  uint64_t resolved() const { return resolved_.load(std::memory_order_relaxed); }
  double seconds() const { return seconds_.load(std::memory_order_relaxed); }

 private:
  struct Probe;
  void run();
  const uint8_t* target_address(uint64_t target, uint8_t scratch[16]) const;
  bool find_target(bool ipv6, const uint8_t address[16], uint32_t& target) const;

  TraceConfig config_;
  SipKey key_;
  TimestampChoice timestamps_;
  ProbeSocket socket4_;
  ProbeSocket socket6_;
  std::unordered_map<uint32_t, uint32_t> index4_;     // s_addr → target
  std::unordered_map<std::string, uint32_t> index6_;  // 16 bytes → target
  TraceCounters counters_;
  std::atomic<uint64_t> resolved_{0};
  std::atomic<double> seconds_{0};
  std::atomic<bool> stop_requested_{false};
  ChunkHandler on_chunk_;
  DoneHandler on_done_;
  std::thread thread_;
  bool started_ = false;
};

}  // namespace pingsphere
