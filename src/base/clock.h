// Clock: where pinpipe reads the time and sleeps. Everything that waits on time (the
// emulator's rate, sink rotation, stream triggers, the scheduler) takes a Clock&, so tests run
// a simulated week in milliseconds with FakeClock.
//
// Thread-safety: all methods of both implementations may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace pinpipe {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (UTC, wall clock).
  virtual int64_t NowMicros() = 0;
  // Microseconds on a clock that never goes backwards (for durations).
  virtual int64_t MonotonicMicros() = 0;
  virtual void SleepForMicros(int64_t micros) = 0;

  // The process-wide real clock.
  static Clock* Real();
};

class SystemClock final : public Clock {
 public:
  int64_t NowMicros() override;
  int64_t MonotonicMicros() override;
  void SleepForMicros(int64_t micros) override;
};

// A clock that moves only when told to. SleepForMicros advances the time by the amount slept
// and returns at once, so code that sleeps runs at full speed in tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_micros = 0) : now_(start_micros) {}

  int64_t NowMicros() override;
  int64_t MonotonicMicros() override;
  void SleepForMicros(int64_t micros) override;

  void AdvanceMicros(int64_t micros);
  void SetMicros(int64_t micros);

 private:
  std::mutex mu_;
  int64_t now_;  // guarded by mu_
};

}  // namespace pinpipe
