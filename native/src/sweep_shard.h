// A sweep is split into shards, one per sender thread: each shard owns a contiguous range of
// targets, its own sockets (so its own ICMP id, and the kernel's per-socket send lock is never
// shared) and its own ledger. On loopback, and on hosts where the send path dominates, the kernel
// work of a probe runs on the sending core, so one sender per core is what scales the probe rate.
#pragma once

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <thread>

#include "probe_ledger.h"
#include "socket_setup.h"
#include "sweep_config.h"

namespace pingsphere {

// Paced sweeps get one sender per this many probes/s: one core sends far more than that, and a
// single sender keeps the send timestamps of a paced sweep free of cross-core scheduling noise.
constexpr double kPacedPpsPerSender = 100000;
// Below this many targets per shard, a thread and its sockets cost more than they save.
constexpr uint64_t kMinTargetsPerSender = 1024;
constexpr uint32_t kMaxSenders = 64;

// CPUs this process may run on (honours taskset and cpusets, unlike the online count).
inline uint32_t usable_cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// How many sender threads a sweep gets: as asked (config.senders > 0), else one per usable CPU for
// unlimited sweeps and one per kPacedPpsPerSender for paced ones; never more shards than targets,
// and in auto mode never shards smaller than kMinTargetsPerSender.
inline uint32_t resolve_sender_count(const SweepConfig& config, uint32_t cpus) {
  const uint64_t targets = std::max<uint64_t>(config.target_count(), 1);
  if (config.senders > 0) return static_cast<uint32_t>(std::min<uint64_t>(config.senders, targets));
  uint64_t wanted = config.rate_pps > 0 ? uint64_t(std::ceil(config.rate_pps / kPacedPpsPerSender)) : cpus;
  wanted = std::min<uint64_t>({wanted, cpus, kMaxSenders, std::max<uint64_t>(1, targets / kMinTargetsPerSender)});
  return static_cast<uint32_t>(std::max<uint64_t>(wanted, 1));
}

struct SweepShard {
  SweepShard(uint32_t index, uint64_t first_target, uint64_t end_target, uint32_t count)
      : index(index), first_target(first_target), end_target(end_target), ledger((end_target - first_target) * count) {}
  SweepShard(const SweepShard&) = delete;
  SweepShard& operator=(const SweepShard&) = delete;

  uint64_t target_count() const { return end_target - first_target; }
  bool owns(uint64_t target) const { return target >= first_target && target < end_target; }
  // The shard's probes are numbered in its own send order: round by round over its targets.
  uint64_t local_probe(uint32_t seq, uint64_t target) const {
    return uint64_t(seq) * target_count() + (target - first_target);
  }
  uint64_t target_of(uint64_t local) const { return first_target + local % target_count(); }
  uint32_t seq_of(uint64_t local) const { return static_cast<uint32_t>(local / target_count()); }

  const uint32_t index;
  const uint64_t first_target;  // targets [first_target, end_target) of the sweep
  const uint64_t end_target;
  ProbeSocket socket4;  // open when the range holds IPv4 targets
  ProbeSocket socket6;  // open when the range holds IPv6 targets
  ProbeLedger ledger;   // indexed by local probe

  std::atomic<uint64_t> published_sent{0};  // sender → receiver: local probes [0, n) are in the ledger
  std::atomic<bool> sender_done{false};
  uint64_t cursor = 0;  // receiver only: first local probe not yet known to be resolved
  std::thread sender;
};

}  // namespace pingsphere
