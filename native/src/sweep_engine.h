// One sweep: sender threads (as many as send_plan.h decides) that claim units of the sweep and
// send paced echo requests; and a receiver thread that validates the replies, times them with
// kernel (or NIC) TX and RX stamps and declares the unanswered lost. They share nothing but the
// keyed cookie in the packets, the plan's published counts and the ledger of send times and TX
// stamps.
//
// A target's probes keep one ICMP id per flow whichever sender sends them. Raw sockets: we write
// the id (a per-sweep base + the flow), each sender has its own sending sockets, and one receive
// socket per family takes the replies of every flow. Ping sockets: the kernel writes the socket's
// own id and routes replies by it, so there is one socket per flow and family, shared by the
// senders.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cookie.h"
#include "probe_ledger.h"
#include "send_plan.h"
#include "socket_setup.h"
#include "sweep_config.h"
#include "timestamping.h"

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

  SocketMode mode() const { return mode_; }
  const TimestampChoice& timestamps() const { return timestamps_; }
  uint32_t sender_count() const { return static_cast<uint32_t>(senders_.size()); }
  const SweepCounters& counters() const { return counters_; }
  SweepProgress progress() const;
  int receive_buffer_bytes() const;
  // Monotonic times of the first and last send, for the achieved rate (0 before the first).
  int64_t first_send_mono_ns() const { return first_send_mono_ns_.load(std::memory_order_acquire); }
  int64_t last_send_mono_ns() const { return last_send_mono_ns_.load(std::memory_order_acquire); }
  int64_t finished_mono_ns() const { return finished_mono_ns_.load(std::memory_order_acquire); }

 private:
  // A sender thread and what only it uses: raw mode, its own sending sockets (the kernel's
  // per-socket send lock is never shared); ping mode sends on the shared flow sockets.
  struct Sender {
    uint32_t index = 0;
    ProbeSocket socket4;  // raw, when the sweep has IPv4 targets
    ProbeSocket socket6;  // raw, when the sweep has IPv6 targets
    // Raw sockets with TX stamps: the sender reads its own sockets' error queues after each batch
    // (on its own core, beside the kernel work of its sends) instead of the receiver reading them
    // all; once it is done, the receiver takes over. Complete drains so far (until EAGAIN), by
    // whichever thread owns the queues: a reply read before a drain began has its stamp read by
    // the end of that drain.
    bool drains_stamps = false;
    std::atomic<uint64_t> stamp_drains{0};
    std::atomic<bool> done{false};
    std::thread thread;
  };

 public:
  // recvmmsg buffers for reading TX stamps from an error queue (OPT_TSONLY: no packet data).
  struct StampReader {
    static constexpr unsigned kBatch = 128;
    static constexpr size_t kControlBytes = 256;
    StampReader();
    void reset();
    uint8_t data[kBatch][16];
    uint8_t control[kBatch][kControlBytes];
    iovec iovs[kBatch];
    mmsghdr messages[kBatch];
  };
  // Reads every TX stamp queued on `fd`'s error queue into the ledger (until EAGAIN).
  void drain_tx_stamps(int fd, StampReader& reader);

 private:
  // One complete drain of a raw sender's error queues (both families), counted in its
  // stamp_drains: by the sender while it sends, by the receiver once it is done. The receiver's
  // settle and free rules read that count, so every drain of those queues goes through here.
  void drain_sender_stamps(Sender& sender, StampReader& reader);
  void open_sockets(uint32_t senders);
  void run_sender(Sender& sender);
  bool wait_for_round(const SendPlan::Unit& unit);
  size_t due_after_previous_round(uint64_t first_probe, size_t want);
  void run_receiver();
  void note_send_time(int64_t mono_ns);
  const uint8_t* target_address(uint64_t target_index, uint8_t scratch[16]) const;
  const ProbeSocket& send_socket(const Sender& sender, bool ipv6, uint32_t flow) const;
  uint16_t flow_id(bool ipv6, uint32_t flow) const;
  void close_sockets();

  SweepConfig config_;
  SipKey key_;
  SocketMode mode_ = SocketMode::Raw;
  TimestampChoice timestamps_;
  uint16_t raw_first_id_ = 0;               // raw: flow f has id raw_first_id_ + f
  ProbeSocket receive4_;                    // raw: every IPv4 reply
  ProbeSocket receive6_;                    // raw: every IPv6 reply
  std::vector<ProbeSocket> flow_sockets4_;  // ping: one per flow
  std::vector<ProbeSocket> flow_sockets6_;
  std::vector<std::unique_ptr<Sender>> senders_;
  SendPlan plan_;
  ProbeLedger ledger_;
  SweepCounters counters_;

  std::atomic<uint64_t> resolved_{0};
  std::atomic<bool> stop_requested_{false};
  int64_t start_mono_ns_ = 0;  // rounds are timed from here
  std::atomic<int64_t> first_send_mono_ns_{0};
  std::atomic<int64_t> last_send_mono_ns_{0};
  std::atomic<int64_t> finished_mono_ns_{0};

  ChunkHandler on_chunk_;
  DoneHandler on_done_;
  std::thread receiver_;
  bool started_ = false;
};

}  // namespace pingsphere
