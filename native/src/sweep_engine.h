// One sweep: a sender thread that paces echo requests and a receiver thread that validates
// replies, times them with kernel timestamps and declares the unanswered lost. The two share
// nothing but the keyed cookie in the packets, the sent count and the ledger of send times.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "cookie.h"
#include "probe_ledger.h"
#include "socket_setup.h"
#include "sweep_config.h"

namespace pingsphere {

struct SweepProgress {
  uint64_t probes_total;
  uint64_t sent;
  uint64_t resolved;  // replies + lost
};

class SweepEngine {
 public:
  using ChunkHandler = std::function<void(ResultChunk&&)>;
  // Called once, from the receiver thread, after the last chunk; error is empty on success.
  using DoneHandler = std::function<void(const std::string& error)>;

  // Opens the sockets (throws SocketError); sends nothing until start().
  explicit SweepEngine(SweepConfig config);
  ~SweepEngine();
  SweepEngine(const SweepEngine&) = delete;
  SweepEngine& operator=(const SweepEngine&) = delete;

  void start(ChunkHandler on_chunk, DoneHandler on_done);
  // Stops sending; probes in flight are reported lost at once and the sweep finishes.
  void stop();
  void join();

  SocketMode mode() const;
  const SweepCounters& counters() const { return counters_; }
  SweepProgress progress() const;
  int receive_buffer_bytes() const;
  // Monotonic times of the first and last send, for the achieved rate (0 before the first).
  int64_t first_send_mono_ns() const { return first_send_mono_ns_.load(std::memory_order_acquire); }
  int64_t last_send_mono_ns() const { return last_send_mono_ns_.load(std::memory_order_acquire); }
  int64_t finished_mono_ns() const { return finished_mono_ns_.load(std::memory_order_acquire); }

 private:
  void run_sender();
  void run_receiver();
  const uint8_t* target_address(uint64_t target_index, uint8_t scratch[16]) const;

  SweepConfig config_;
  SipKey key_;
  uint16_t raw_icmp_id_;
  ProbeSocket socket4_;
  ProbeSocket socket6_;
  ProbeLedger ledger_;
  SweepCounters counters_;

  std::atomic<uint64_t> published_sent_{0};
  std::atomic<uint64_t> resolved_{0};
  std::atomic<bool> sender_done_{false};
  std::atomic<bool> stop_requested_{false};
  std::atomic<int64_t> first_send_mono_ns_{0};
  std::atomic<int64_t> last_send_mono_ns_{0};
  std::atomic<int64_t> finished_mono_ns_{0};

  ChunkHandler on_chunk_;
  DoneHandler on_done_;
  std::thread sender_;
  std::thread receiver_;
  bool started_ = false;
};

}  // namespace pingsphere
