// Clocks: CLOCK_REALTIME for anything compared with kernel receive timestamps (they use it),
// CLOCK_MONOTONIC for pacing and sleeping.
#pragma once

#include <time.h>

#include <cstdint>

namespace pingsphere {

inline int64_t clock_ns(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}
inline int64_t realtime_ns() { return clock_ns(CLOCK_REALTIME); }
inline int64_t monotonic_ns() { return clock_ns(CLOCK_MONOTONIC); }

inline timespec to_timespec(int64_t ns) {
  timespec ts;
  ts.tv_sec = ns / 1000000000LL;
  ts.tv_nsec = ns % 1000000000LL;
  return ts;
}

// Sleeps until an absolute CLOCK_MONOTONIC time (precise: the threads set a 1 us timer slack).
inline void sleep_until_monotonic(int64_t deadline_ns) {
  const timespec ts = to_timespec(deadline_ns);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

}  // namespace pingsphere
