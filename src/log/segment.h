// Segment: one `<base>.log` file of record batches plus its sparse offset index
// (docs/log_format.md §2-3, recovery §7).
//
// Thread-safety: a Segment belongs to one Partition, which serializes it:
// - Write/Sync/Seal are called only by the partition's current group-commit leader;
// - Publish/FindPosition and the accessors are called with the partition's mutex held;
// - ReadBatches may be called from any thread without locks (it only preads the file, up
//   to a size the caller read under the mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "io/file_system.h"
#include "log/record_batch.h"

namespace pinpipe::log {

inline constexpr uint64_t kIndexIntervalBytes = 4096;
// Preallocation (docs/log_format.md §2): while the writes to the active segment average less
// than kPreallocateMaxMeanWrite (small groups: producers that wait for each answer) and its
// fdatasyncs take at least kPreallocateMinSyncMicros, the writer keeps up to
// kPreallocateBytes of zeros ahead of itself on disk, so that a group's fdatasync writes its
// data and not the inode. Large groups, and syncs that cost nothing (`log.sync` off, tmpfs),
// gain nothing from it: the zeros would only double what is written.
inline constexpr uint64_t kPreallocateBytes = 1 << 20;
inline constexpr uint64_t kPreallocateMaxMeanWrite = 128 << 10;
inline constexpr int64_t kPreallocateMinSyncMicros = 50;

class Segment {
 public:
  // Creates an empty active segment `<dir>/<base>.log` and syncs `dir`.
  static Result<std::unique_ptr<Segment>> Create(io::FileSystem* fs, const std::string& dir,
                                                 int64_t base_offset);
  // Opens an existing segment. The active (last) one is scanned and any invalid tail is
  // truncated away (*truncated_bytes says how much, not counting trailing zeros: those are
  // preallocated, never written); a sealed one loads its index (or is scanned) and must be
  // valid to its end, else kCorruption.
  static Result<std::unique_ptr<Segment>> Open(io::FileSystem* fs, const std::string& dir,
                                               int64_t base_offset, bool active,
                                               uint64_t* truncated_bytes);
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;
  ~Segment();

  int64_t base_offset() const { return base_offset_; }
  // Published state (partition mutex):
  int64_t next_offset() const { return next_offset_; }
  uint64_t size() const { return size_; }
  int64_t max_timestamp() const { return max_timestamp_; }  // INT64_MIN when empty

  // Leader only. Appends encoded batches at the end (not yet durable, not yet visible),
  // first preallocating zeros ahead of them when writes are small and `syncs_cost` (the
  // caller's recent fdatasyncs took kPreallocateMinSyncMicros or more; see above).
  Status Write(std::string_view batches, bool syncs_cost = false);
  Status Sync();
  // Leader only. Closes the writer (cutting off preallocated zeros, durably), then writes
  // and syncs the index file; no more writes.
  Status Seal();

  // Partition mutex. Makes a written batch at `position` visible to readers.
  void Publish(const BatchHeader& header, uint64_t position);
  // Partition mutex. The position of a batch at or before the one holding `offset`.
  uint64_t FindPosition(int64_t offset) const;

  // Decodes batches from `position` up to `end` (a published size), appending records with
  // offset >= min_offset to *out until *bytes (RecordPayloadBytes) reaches max_bytes.
  // At least one record is appended if any exists. Thread-safe.
  Status ReadBatches(uint64_t position, uint64_t end, int64_t min_offset, size_t max_bytes,
                     std::vector<StoredRecord>* out, size_t* bytes) const;
  // The same into views (record_view.h): preads straight into chunks of *out, no copy per
  // record. OK(true) once max_bytes is reached.
  Result<bool> ReadBatchViews(uint64_t position, uint64_t end, int64_t min_offset,
                              size_t max_bytes, RecordViews* out, size_t* bytes) const;

  // Removes the .log and .index files. The object stays readable through open handles.
  Status RemoveFiles();

 private:
  struct IndexEntry {
    uint32_t relative_offset;
    uint32_t position;
  };
  Segment(io::FileSystem* fs, std::string dir, int64_t base_offset);
  // Scans from 0: publishes every valid batch; returns the position of the first invalid
  // byte (== file size when all is valid).
  Result<uint64_t> Scan(uint64_t file_size);
  bool LoadIndex(uint64_t file_size);
  std::string EncodeIndex() const;

  // Constant after construction.
  io::FileSystem* const fs_;
  const std::string dir_;
  const int64_t base_offset_;
  const std::string log_path_;
  const std::string index_path_;

  std::unique_ptr<io::RandomAccessFile> reader_;  // set once in Create/Open
  std::unique_ptr<io::WritableFile> writer_;      // active segment only; leader only
  // Leader only: a moving mean of Write sizes (starting at the limit, so that a segment's
  // first writes preallocate only if they are small), and how far the file is zero-filled.
  int64_t mean_write_ = kPreallocateMaxMeanWrite;
  uint64_t zero_end_ = 0;

  // Guarded by the owning partition's mutex.
  uint64_t size_ = 0;
  int64_t next_offset_;
  int64_t max_timestamp_;
  std::vector<IndexEntry> index_;
};

}  // namespace pinpipe::log
