// One sweep: sender threads (one per shard of the targets, see sweep_shard.h) that pace echo
// requests, and a receiver thread that validates replies on every shard's sockets, times them with
// kernel timestamps and declares the unanswered lost. Senders and receiver share nothing but the
// keyed cookie in the packets, each shard's sent count and its ledger of send times.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cookie.h"
#include "socket_setup.h"
#include "sweep_config.h"
#include "sweep_shard.h"

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
  uint32_t sender_count() const { return static_cast<uint32_t>(shards_.size()); }
  const SweepCounters& counters() const { return counters_; }
  SweepProgress progress() const;
  int receive_buffer_bytes() const;
  // Monotonic times of the first and last send, for the achieved rate (0 before the first).
  int64_t first_send_mono_ns() const { return first_send_mono_ns_.load(std::memory_order_acquire); }
  int64_t last_send_mono_ns() const { return last_send_mono_ns_.load(std::memory_order_acquire); }
  int64_t finished_mono_ns() const { return finished_mono_ns_.load(std::memory_order_acquire); }

 private:
  void run_sender(SweepShard& shard);
  void run_receiver();
  void note_send_time(int64_t mono_ns);
  const uint8_t* target_address(uint64_t target_index, uint8_t scratch[16]) const;
  const ProbeSocket& first_socket() const;

  SweepConfig config_;
  SipKey key_;
  std::vector<std::unique_ptr<SweepShard>> shards_;
  bool pin_senders_ = false;
  SweepCounters counters_;

  std::atomic<uint64_t> resolved_{0};
  std::atomic<bool> stop_requested_{false};
  int64_t start_mono_ns_ = 0;  // rounds of every shard are timed from here
  std::atomic<int64_t> first_send_mono_ns_{0};
  std::atomic<int64_t> last_send_mono_ns_{0};
  std::atomic<int64_t> finished_mono_ns_{0};

  ChunkHandler on_chunk_;
  DoneHandler on_done_;
  std::thread receiver_;
  bool started_ = false;
};

}  // namespace pingsphere
