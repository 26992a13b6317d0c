// ProgressBar: a one-line progress bar on stderr, drawn only when stderr is a terminal (and
// the caller enables it), redrawn at most ten times a second.
//
// Not thread-safe: one owner updates it.
#pragma once

#include <cstdint>
#include <string>

namespace pinpipe::cli {

class ProgressBar {
 public:
  // `total` 0 means unknown: a counter and a rate are shown instead of a bar.
  ProgressBar(std::string label, int64_t total, bool enabled = true);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(int64_t done);
  // Draws the final state and ends the line. Idempotent.
  void Finish();

 private:
  void Draw();
  std::string label_;
  int64_t total_;
  bool enabled_;
  bool finished_ = false;
  int64_t done_ = 0;
  int64_t start_micros_;
  int64_t last_draw_micros_ = 0;
};

}  // namespace pinpipe::cli
