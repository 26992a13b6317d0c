#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

#include "base/clock.h"

namespace pinpipe::cli {

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled && isatty(STDERR_FILENO) != 0),
      start_micros_(Clock::Real()->MonotonicMicros()) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  done_ = done;
  if (!enabled_) return;
  int64_t now = Clock::Real()->MonotonicMicros();
  if (now - last_draw_micros_ < 100000) return;
  last_draw_micros_ = now;
  Draw();
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  Draw();
  std::fputc('\n', stderr);
}

void ProgressBar::Draw() {
  double secs = static_cast<double>(Clock::Real()->MonotonicMicros() - start_micros_) / 1e6;
  double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
  if (total_ > 0) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(kWidth * done_ / total_);
    if (filled > kWidth) filled = kWidth;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "\r%s [%s] %lld/%lld %3.0f%% %.0f/s ", label_.c_str(), bar.c_str(),
                 static_cast<long long>(done_), static_cast<long long>(total_),
                 100.0 * static_cast<double>(done_) / static_cast<double>(total_), rate);
  } else {
    std::fprintf(stderr, "\r%s %lld done %.0f/s ", label_.c_str(), static_cast<long long>(done_),
                 rate);
  }
  std::fflush(stderr);
}

}  // namespace pinpipe::cli
