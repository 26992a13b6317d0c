// DedupByInd: one row per `ind` (SPEC §6: the emulator samples with replacement, so the same
// post arrives many times; the first arrival wins).
//
// Memory grows with the number of distinct keys (about 16-32 bytes each). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_set>

namespace pinpipe::model {

class DedupByInd {
 public:
  // True the first time `ind` is seen (keep the row), false for every later time (drop it).
  bool FirstSeen(int64_t ind) { return seen_.insert(ind).second; }
  bool Contains(int64_t ind) const { return seen_.contains(ind); }
  size_t size() const { return seen_.size(); }
  void Clear() { seen_.clear(); }

 private:
  std::unordered_set<int64_t> seen_;
};

}  // namespace pinpipe::model
