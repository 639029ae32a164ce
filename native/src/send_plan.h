// How a sweep's probes are shared among sender threads. The probes, in send order (round by
// round over the targets), are cut into units of up to kUnitTargets targets of one round; senders
// claim units one at a time, in order, from a shared counter. Claiming in order keeps sends close
// to probe order (the receiver's loss cursor walks that order), and claiming rather than a fixed
// split lets a sender on a less busy core take a larger share than one whose core is shared with
// other work, so the sweep never waits on its slowest core.
#pragma once

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>

#include "sweep_config.h"

namespace pingsphere {

// Paced sweeps get one sender per this many probes/s: one core sends far more than that, and a
// single sender keeps the send timestamps of a paced sweep free of cross-core scheduling noise.
constexpr double kPacedPpsPerSender = 100000;
// Below this many targets per sender, a thread and its sockets cost more than they save.
constexpr uint64_t kMinTargetsPerSender = 1024;
constexpr uint32_t kMaxSenders = 64;

// CPUs this process may run on (honours taskset and cpusets, unlike the online count).
inline uint32_t usable_cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// How many sender threads a sweep gets: as asked (config.senders > 0, at most one per target),
// else one per usable CPU for unlimited sweeps and one per kPacedPpsPerSender for paced ones,
// with at least kMinTargetsPerSender targets each.
inline uint32_t resolve_sender_count(const SweepConfig& config, uint32_t cpus) {
  const uint64_t targets = std::max<uint64_t>(config.target_count(), 1);
  if (config.senders > 0) return static_cast<uint32_t>(std::min<uint64_t>(config.senders, targets));
  uint64_t wanted = config.rate_pps > 0 ? uint64_t(std::ceil(config.rate_pps / kPacedPpsPerSender)) : cpus;
  wanted = std::min<uint64_t>({wanted, cpus, kMaxSenders, std::max<uint64_t>(1, targets / kMinTargetsPerSender)});
  return static_cast<uint32_t>(std::max<uint64_t>(wanted, 1));
}

class SendPlan {
 public:
  // Small enough that senders finish within a few milliseconds of each other, large enough that
  // claiming costs nothing next to sending.
  static constexpr uint64_t kUnitTargets = 1024;

  struct Unit {
    uint64_t id;
    uint32_t round;
    uint64_t first_target;  // targets [first_target, end_target) in `round`
    uint64_t end_target;
    uint64_t first_probe;  // probe index (round * targets + target) of first_target
  };

  SendPlan(uint64_t targets, uint32_t rounds)
      : targets_(targets),
        rounds_(rounds),
        units_per_round_((targets + kUnitTargets - 1) / kUnitTargets),
        unit_total_(units_per_round_ * rounds),
        published_(new std::atomic<uint32_t>[unit_total_ ? unit_total_ : 1]),
        target_sent_(rounds > 1 ? new int64_t[targets ? targets : 1]() : nullptr) {
    for (uint64_t u = 0; u < unit_total_; ++u) published_[u].store(0, std::memory_order_relaxed);
  }

  // Any sender thread: the next unit nobody has claimed, or none when all are taken.
  std::optional<Unit> claim() {
    const uint64_t id = next_unit_.fetch_add(1, std::memory_order_relaxed);
    if (id >= unit_total_) return std::nullopt;
    const uint32_t round = static_cast<uint32_t>(id / units_per_round_);
    const uint64_t first = (id % units_per_round_) * kUnitTargets;
    return Unit{id, round, first, std::min(first + kUnitTargets, targets_), uint64_t(round) * targets_ + first};
  }

  // The unit's sender: its first `probes` probes are in the ledger (release, for the receiver).
  void publish(const Unit& unit, uint64_t probes) {
    published_[unit.id].store(static_cast<uint32_t>(probes), std::memory_order_release);
  }

  // Multi-round sweeps, the sender of a batch of targets [first, first + n), just before handing it
  // to the kernel (monotonic time): each target's next round keeps a whole period from this, even
  // when the batch went out later within its unit than the same batch of the next round will.
  // Plain stores: the batch's publish (release) makes them visible to the next round's sender.
  void note_batch_sent(uint64_t first_target, size_t n, int64_t mono_ns) {
    if (!target_sent_) return;
    std::fill_n(target_sent_.get() + first_target, n, mono_ns);
  }

  // Any sender, for a published probe of a multi-round sweep whose target has not been sent again
  // since: when it was handed to the kernel (see note_batch_sent).
  int64_t previous_round_sent(uint64_t probe) const { return target_sent_[probe % targets_]; }

  // Any sender (acquire): whether the probe's send time is in the ledger.
  bool is_published(uint64_t probe) const {
    const uint64_t unit = unit_of(probe);
    return published_[unit].load(std::memory_order_acquire) > probe - first_probe_of(unit);
  }

  // First probe of the unit after the one holding `probe` (to skip what a stopped sweep never sent).
  uint64_t next_unit_start(uint64_t probe) const {
    const uint64_t unit = unit_of(probe) + 1;
    return unit < unit_total_ ? first_probe_of(unit) : targets_ * rounds_;
  }

 private:
  uint64_t unit_of(uint64_t probe) const {
    return (probe / targets_) * units_per_round_ + (probe % targets_) / kUnitTargets;
  }
  uint64_t first_probe_of(uint64_t unit) const {
    return (unit / units_per_round_) * targets_ + (unit % units_per_round_) * kUnitTargets;
  }

  const uint64_t targets_;
  const uint64_t rounds_;
  const uint64_t units_per_round_;
  const uint64_t unit_total_;
  std::unique_ptr<std::atomic<uint32_t>[]> published_;
  std::unique_ptr<int64_t[]> target_sent_;  // per target, rounds > 1 only
  std::atomic<uint64_t> next_unit_{0};
};

}  // namespace pingsphere
