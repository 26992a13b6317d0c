// The behaviour every TopicLog backend must show (ARCHITECTURE.md: one suite, all backends).
// A backend's test file instantiates it with a harness factory:
//
//   std::unique_ptr<TopicLogHarness> MakeEmbedded() { ... }
//   INSTANTIATE_TEST_SUITE_P(Embedded, TopicLogBehaviorTest, ::testing::Values(&MakeEmbedded));
//
// and links topic_log_behavior_test.cc. Each test gets a fresh, empty log.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

#include "log/topic_log.h"

namespace pinpipe::log {

// Owns a backend instance and whatever it needs (file system, cluster, clock).
// Records from (key, value) pairs; a null key stays null.
inline std::vector<Record> Keyed(std::initializer_list<std::pair<const char*, const char*>> kvs) {
  std::vector<Record> out;
  for (const auto& [k, v] : kvs) {
    Record r;
    if (k != nullptr) r.key = k;
    r.value = v;
    out.push_back(r);
  }
  return out;
}

class TopicLogHarness {
 public:
  virtual ~TopicLogHarness() = default;
  virtual TopicLog* log() = 0;
};

using TopicLogHarnessFactory = std::unique_ptr<TopicLogHarness> (*)();

class TopicLogBehaviorTest : public ::testing::TestWithParam<TopicLogHarnessFactory> {
 protected:
  void SetUp() override { harness_ = GetParam()(); }
  TopicLog* log() { return harness_->log(); }

 private:
  std::unique_ptr<TopicLogHarness> harness_;
};

}  // namespace pinpipe::log
