// Per-probe state the receiver needs beyond the packet: when each probe was stamped for sending
// (the time in its payload) and handed to the kernel (sendmmsg returned: the timeout runs from
// there, so a sender that lost its CPU between the two does not make a probe look late), its
// kernel TX stamp once the error queue gave it, and whether it was already answered (to count
// duplicates).
// Times live in 64 Ki-probe chunks freed once every probe in them is resolved, so memory follows
// the probes in flight, not the sweep size; the answered bitmap is one bit per probe.
// TX stamps may be written by the sender threads (each drains its own socket's error queue), so a
// chunk is first retired (no new stamp goes into it) and freed by the receiver once every sender
// has finished a drain since (quiescent-state reclamation, see retire_below and free_chunks).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace pingsphere {

class ProbeLedger {
 public:
  static constexpr uint64_t kChunkProbes = 1 << 16;

  explicit ProbeLedger(uint64_t probes)
      : chunk_total_((probes + kChunkProbes - 1) / kChunkProbes),
        chunks_(new std::atomic<int64_t*>[chunk_total_ ? chunk_total_ : 1]),
        resolved_((probes + 63) / 64, 0) {
    for (uint64_t i = 0; i < chunk_total_; ++i) chunks_[i].store(nullptr, std::memory_order_relaxed);
  }
  ~ProbeLedger() {
    for (uint64_t i = 0; i < chunk_total_; ++i) delete[] chunks_[i].load(std::memory_order_relaxed);
  }
  ProbeLedger(const ProbeLedger&) = delete;
  ProbeLedger& operator=(const ProbeLedger&) = delete;

  // Sender threads (each probe recorded by one), before sendmmsg. Visible to the receiver once its
  // sender publishes it (release). Two senders may reach a new chunk together: one allocation wins,
  // the other is freed.
  void record_send(uint64_t probe, int64_t send_ns) {
    std::atomic<int64_t*>& slot = chunks_[probe / kChunkProbes];
    int64_t* chunk = slot.load(std::memory_order_acquire);
    if (chunk == nullptr) {
      // Send times, then hand-over times, then TX stamps (0 = none yet, filled in by the receiver).
      int64_t* fresh = new int64_t[3 * kChunkProbes]();
      if (slot.compare_exchange_strong(chunk, fresh, std::memory_order_acq_rel)) {
        chunk = fresh;
      } else {
        delete[] fresh;  // `chunk` now holds the winner's
      }
    }
    chunk[probe % kChunkProbes] = send_ns;
  }

  // Sender thread, after sendmmsg took the probe (or refused it for good), before publishing it.
  void record_handed(uint64_t probe, int64_t handed_ns) {
    chunks_[probe / kChunkProbes].load(std::memory_order_acquire)[kChunkProbes + probe % kChunkProbes] = handed_ns;
  }

  // Receiver thread, for probe < published sent count and not yet released.
  int64_t send_ns(uint64_t probe) const {
    return chunks_[probe / kChunkProbes].load(std::memory_order_acquire)[probe % kChunkProbes];
  }
  int64_t handed_ns(uint64_t probe) const {
    return chunks_[probe / kChunkProbes].load(std::memory_order_acquire)[kChunkProbes + probe % kChunkProbes];
  }

  // The thread that drains the probe's socket's error queue (its sender, or the receiver): stores
  // the TX stamp of a probe that was sent (its chunk exists) unless its chunk was already retired;
  // returns whether it was stored. A sender calls it only inside a drain (see retire_below).
  bool set_tx_stamp(uint64_t probe, int64_t stamp_ns) {
    const uint64_t index = probe / kChunkProbes;
    if (index < released_chunks_.load(std::memory_order_seq_cst) || index >= chunk_total_) return false;
    int64_t* chunk = chunks_[index].load(std::memory_order_acquire);
    if (chunk == nullptr) return false;
    __atomic_store_n(&chunk[2 * kChunkProbes + probe % kChunkProbes], stamp_ns, __ATOMIC_RELAXED);
    return true;
  }

  // Receiver thread, for a probe whose chunk is not retired: its TX stamp, 0 when none came yet.
  int64_t tx_stamp(uint64_t probe) const {
    const int64_t* chunk = chunks_[probe / kChunkProbes].load(std::memory_order_acquire);
    return __atomic_load_n(&chunk[2 * kChunkProbes + probe % kChunkProbes], __ATOMIC_RELAXED);
  }

  // Receiver thread: retires the chunks that lie wholly below `first_unresolved` and appends them
  // to `retired`. A sender draining stamps at this moment may still write into one, so the caller
  // frees them (free_chunks) only after every sender has finished a drain begun after this call.
  void retire_below(uint64_t first_unresolved, std::vector<int64_t*>& retired) {
    const uint64_t whole_chunks = std::min(first_unresolved / kChunkProbes, chunk_total_);
    uint64_t released = released_chunks_.load(std::memory_order_relaxed);
    if (released >= whole_chunks) return;
    released_chunks_.store(whole_chunks, std::memory_order_seq_cst);
    for (; released < whole_chunks; ++released) {
      retired.push_back(chunks_[released].exchange(nullptr, std::memory_order_acq_rel));
    }
  }
  static void free_chunks(std::vector<int64_t*>& chunks) {
    for (int64_t* chunk : chunks) delete[] chunk;
    chunks.clear();
  }

  // Receiver thread only (no atomics needed): returns false when the probe was already resolved.
  bool mark_resolved(uint64_t probe) {
    uint64_t& word = resolved_[probe / 64];
    const uint64_t bit = uint64_t{1} << (probe % 64);
    if (word & bit) return false;
    word |= bit;
    return true;
  }
  bool is_resolved(uint64_t probe) const { return resolved_[probe / 64] & (uint64_t{1} << (probe % 64)); }

 private:
  uint64_t chunk_total_;
  std::unique_ptr<std::atomic<int64_t*>[]> chunks_;
  std::atomic<uint64_t> released_chunks_{0};
  std::vector<uint64_t> resolved_;
};

}  // namespace pingsphere
