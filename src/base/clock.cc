#include "base/clock.h"

#include <thread>

namespace pinpipe {

Clock* Clock::Real() {
  static SystemClock clock;
  return &clock;
}

int64_t SystemClock::NowMicros() {
  using namespace std::chrono;  // NOLINT(google-build-using-namespace)
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t SystemClock::MonotonicMicros() {
  using namespace std::chrono;  // NOLINT(google-build-using-namespace)
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

void SystemClock::SleepForMicros(int64_t micros) {
  if (micros > 0) std::this_thread::sleep_for(std::chrono::microseconds(micros));
}

int64_t FakeClock::NowMicros() {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

int64_t FakeClock::MonotonicMicros() { return NowMicros(); }

void FakeClock::SleepForMicros(int64_t micros) {
  if (micros > 0) AdvanceMicros(micros);
}

void FakeClock::AdvanceMicros(int64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ += micros;
}

void FakeClock::SetMicros(int64_t micros) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = micros;
}

}  // namespace pinpipe
