// QualityCounters: what cleaning did to one table (SPEC §6: "rows that cannot be parsed at all
// are counted and reported, never silently dropped; each run reports per column how many
// values were nulled, converted or rejected").
//
// Per column of the cleaned table:
//   nulled     a present value became NULL by a rule (placeholder, empty or whitespace-only)
//   converted  a value changed type or text by a rule ("26k" -> 26000, "Local save in /data/x"
//              -> "/data/x", a timestamp text parsed)
//   rejected   a value that could not be converted and became NULL (follower_count "abc")
// Per table: rows read, rows rejected (counted by reason), duplicates dropped.
//
// Counters are plain values: not thread-safe; give each thread its own and merge with +=.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/records.h"

namespace pinpipe::model {

struct ColumnQuality {
  int64_t nulled = 0;
  int64_t converted = 0;
  int64_t rejected = 0;
  ColumnQuality& operator+=(const ColumnQuality& o);
  friend bool operator==(const ColumnQuality&, const ColumnQuality&) = default;
};

class QualityCounters {
 public:
  // At most this many distinct reject reasons are kept; further ones count under kOtherReason.
  static constexpr size_t kMaxReasons = 64;
  static constexpr std::string_view kOtherReason = "(other reasons)";

  // Starts with every cleaned column of `table` at zero, in cleaned order.
  explicit QualityCounters(Table table);

  Table table() const { return table_; }

  void CountRead() { ++rows_read_; }
  void CountRejectedRow(std::string_view reason);
  void CountDuplicate() { ++duplicates_dropped_; }
  void CountNulled(std::string_view column) { Column(column).nulled++; }
  void CountConverted(std::string_view column) { Column(column).converted++; }
  void CountRejected(std::string_view column) { Column(column).rejected++; }

  int64_t rows_read() const { return rows_read_; }
  int64_t rows_rejected() const { return rows_rejected_; }
  int64_t duplicates_dropped() const { return duplicates_dropped_; }
  // rows_read - rows_rejected - duplicates_dropped.
  int64_t rows_written() const { return rows_read_ - rows_rejected_ - duplicates_dropped_; }
  const std::map<std::string, int64_t, std::less<>>& reject_reasons() const {
    return reject_reasons_;
  }
  // The counts of `column`; a name that is not a cleaned column of the table is added at the end.
  ColumnQuality& Column(std::string_view column);
  // Zero counts for a column never touched.
  ColumnQuality column(std::string_view column) const;
  const std::vector<std::pair<std::string, ColumnQuality>>& columns() const { return columns_; }

  // Sets every counter to zero (keeps the columns).
  void Reset();

  // Adds every counter of `other` (columns matched by name). Meant for the same table.
  QualityCounters& operator+=(const QualityCounters& other);

  // A small aligned table for people, e.g.
  //   pin: 10 read, 1 rejected, 2 duplicates, 7 written
  //     rejected: invalid JSON: 1
  //     column            nulled  converted  rejected
  //     follower_count         2          5         1
  std::string ToText() const;
  // {"table":"pin","rows_read":10,"rows_rejected":1,"duplicates_dropped":2,"rows_written":7,
  //  "reject_reasons":{"invalid JSON":1},
  //  "columns":{"ind":{"nulled":0,"converted":0,"rejected":0},...}}
  std::string ToJson() const;

 private:
  void AddReason(std::string_view reason, int64_t n);

  Table table_;
  int64_t rows_read_ = 0;
  int64_t rows_rejected_ = 0;
  int64_t duplicates_dropped_ = 0;
  std::map<std::string, int64_t, std::less<>> reject_reasons_;
  std::vector<std::pair<std::string, ColumnQuality>> columns_;
};

}  // namespace pinpipe::model
