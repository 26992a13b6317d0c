// DedupByInd: one row per `ind` (SPEC §6: the emulator samples with replacement, so the same
// post arrives many times; the first arrival wins). Used by `pinpipe clean` (row_cleaner.h)
// and the batch job (batch/object_cleaner.h).
//
// A flat open-addressing hash set of int64 (linear probing, power-of-two capacity, at most
// half full): one insert per raw record, millions per run, where a node-based
// std::unordered_set spent more time allocating nodes and missing the cache than the
// cleaning itself.
//
// Memory: 16-32 bytes per distinct key. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace pinpipe::model {

class DedupByInd {
 public:
  // True the first time `ind` is seen (keep the row), false for every later time (drop it).
  bool FirstSeen(int64_t ind) {
    if (ind == kEmpty) {  // the slot marker cannot be stored; tracked aside
      const bool first = !has_empty_key_;
      has_empty_key_ = true;
      size_ += first ? 1 : 0;
      return first;
    }
    if (2 * (used_ + 1) > slots_.size()) Grow();
    size_t i = Slot(ind);
    while (slots_[i] != kEmpty) {
      if (slots_[i] == ind) return false;
      i = (i + 1) & (slots_.size() - 1);
    }
    slots_[i] = ind;
    ++used_;
    ++size_;
    return true;
  }
  bool Contains(int64_t ind) const {
    if (ind == kEmpty) return has_empty_key_;
    if (slots_.empty()) return false;
    for (size_t i = Slot(ind); slots_[i] != kEmpty; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i] == ind) return true;
    }
    return false;
  }
  size_t size() const { return size_; }
  // Forgets every key (and frees the table).
  void Clear() { *this = DedupByInd(); }

 private:
  static constexpr int64_t kEmpty = std::numeric_limits<int64_t>::min();

  size_t Slot(int64_t ind) const {
    // Fibonacci hashing: consecutive inds (the common case) spread over the table.
    const uint64_t h = static_cast<uint64_t>(ind) * 0x9E3779B97F4A7C15ULL;
    return static_cast<size_t>(h >> shift_);
  }
  void Grow() {
    std::vector<int64_t> old = std::move(slots_);
    const size_t capacity = old.empty() ? 1024 : 2 * old.size();
    slots_.assign(capacity, kEmpty);
    shift_ = 64 - static_cast<int>(__builtin_ctzll(capacity));
    for (int64_t key : old) {
      if (key == kEmpty) continue;
      size_t i = Slot(key);
      while (slots_[i] != kEmpty) i = (i + 1) & (slots_.size() - 1);
      slots_[i] = key;
    }
  }

  std::vector<int64_t> slots_;
  int shift_ = 64;
  size_t used_ = 0;  // keys in slots_
  size_t size_ = 0;  // used_ plus the key kEmpty if seen
  bool has_empty_key_ = false;
};

}  // namespace pinpipe::model
