#include "log/segment.h"

#include <algorithm>
#include <climits>

#include "base/crc32c.h"
#include "log/coding.h"
#include "log/names.h"

namespace pinpipe::log {
namespace {

constexpr uint32_t kIndexMagic = 0x58495050;  // "PPIX"
constexpr size_t kIndexHeaderSize = 36;
constexpr size_t kReadAhead = 256 << 10;

// Walks the batches of [pos, end) of a segment file, one header at a time. The file's bytes
// come from `load(from, need)`, which returns at least `need` bytes of the file from `from`
// on (it may read ahead, never past `end`) in memory that stays valid until the next load,
// and kCorruption if the file holds fewer. A batch that runs past what is loaded is loaded
// anew from its start. The three readers of segments (Scan, ReadBatches, ReadBatchViews)
// differ only in their `load`: where the bytes go and how far ahead they read.
template <typename Load>
class BatchCursor {
 public:
  BatchCursor(uint64_t pos, uint64_t end, Load load) : pos_(pos), end_(end), load_(load) {}

  uint64_t position() const { return pos_; }

  // The next batch holding an offset >= min_offset, and its header; false at `end`. Batches
  // wholly below min_offset are stepped over without loading them. kCorruption if a header is
  // truncated or impossible, or a batch runs past `end`.
  Result<bool> Next(int64_t min_offset, BatchHeader* header, std::string_view* batch) {
    while (true) {
      if (pos_ >= end_) return false;
      if (end_ - pos_ < kBatchHeaderSize) return CorruptionError("truncated batch header");
      RETURN_IF_ERROR(Ensure(kBatchHeaderSize));
      ASSIGN_OR_RETURN(*header, DecodeBatchHeader(window_.substr(pos_ - window_pos_)));
      const uint64_t size = header->total_size();
      if (size > end_ - pos_) return CorruptionError("truncated batch");
      if (header->next_offset() <= min_offset) {
        pos_ += size;
        continue;
      }
      RETURN_IF_ERROR(Ensure(size));
      *batch = window_.substr(pos_ - window_pos_, size);
      pos_ += size;
      return true;
    }
  }

 private:
  Status Ensure(uint64_t n) {
    if (pos_ >= window_pos_ && pos_ + n <= window_pos_ + window_.size()) return Status::OK();
    ASSIGN_OR_RETURN(window_, load_(pos_, static_cast<size_t>(n)));
    window_pos_ = pos_;
    return Status::OK();
  }

  uint64_t pos_;
  const uint64_t end_;
  Load load_;
  uint64_t window_pos_ = 0;
  std::string_view window_;  // the loaded bytes, from window_pos_ on
};

// The end of the data in [from, end) of `file`: the position after its last byte that is not
// zero (`from` when all are zero), read backwards a window at a time.
Result<uint64_t> EndOfNonZero(const io::RandomAccessFile* file, uint64_t from, uint64_t end) {
  std::string buf;
  while (end > from) {
    const uint64_t start = end - std::min<uint64_t>(kReadAhead, end - from);
    RETURN_IF_ERROR(file->Read(start, end - start, &buf));
    const size_t last = buf.find_last_not_of('\0');
    if (last != std::string::npos) return start + last + 1;
    if (buf.size() != end - start) return CorruptionError("segment file shorter than expected");
    end = start;
  }
  return from;
}

// A `load` for BatchCursor that reads [from, end) into *buf, at least kReadAhead at a time.
auto ReadAheadInto(const io::RandomAccessFile* file, uint64_t end, std::string* buf) {
  return [file, end, buf](uint64_t from, size_t need) -> Result<std::string_view> {
    const uint64_t want = std::min<uint64_t>(std::max<uint64_t>(need, kReadAhead), end - from);
    RETURN_IF_ERROR(file->Read(from, want, buf));
    if (buf->size() < need) return CorruptionError("segment file shorter than expected");
    return std::string_view(*buf);
  };
}

}  // namespace

Segment::Segment(io::FileSystem* fs, std::string dir, int64_t base_offset)
    : fs_(fs),
      dir_(std::move(dir)),
      base_offset_(base_offset),
      log_path_(io::JoinPath(dir_, SegmentFileName(base_offset, ".log"))),
      index_path_(io::JoinPath(dir_, SegmentFileName(base_offset, ".index"))),
      next_offset_(base_offset),
      max_timestamp_(INT64_MIN) {}

Segment::~Segment() = default;

Result<std::unique_ptr<Segment>> Segment::Create(io::FileSystem* fs, const std::string& dir,
                                                 int64_t base_offset) {
  std::unique_ptr<Segment> seg(new Segment(fs, dir, base_offset));
  ASSIGN_OR_RETURN(seg->writer_, fs->NewWritableFile(seg->log_path_));
  RETURN_IF_ERROR(fs->SyncDir(dir));
  ASSIGN_OR_RETURN(seg->reader_, fs->NewRandomAccessFile(seg->log_path_));
  return seg;
}

Result<std::unique_ptr<Segment>> Segment::Open(io::FileSystem* fs, const std::string& dir,
                                               int64_t base_offset, bool active,
                                               uint64_t* truncated_bytes) {
  std::unique_ptr<Segment> seg(new Segment(fs, dir, base_offset));
  ASSIGN_OR_RETURN(uint64_t file_size, fs->GetFileSize(seg->log_path_));
  ASSIGN_OR_RETURN(seg->reader_, fs->NewRandomAccessFile(seg->log_path_));
  *truncated_bytes = 0;
  if (!active) {
    if (seg->LoadIndex(file_size)) return seg;
    ASSIGN_OR_RETURN(uint64_t valid, seg->Scan(file_size));
    if (valid != file_size) {
      return CorruptionError("sealed segment " + seg->log_path_ + " has an invalid batch at byte " +
                             std::to_string(valid));
    }
    seg->Seal().IgnoreError();  // rewrite the index cache; the scan result stands either way
    return seg;
  }
  // The active segment: anything after the first invalid batch is an unsynced tail, or the
  // zeros the writer preallocated (which are not counted as cut: nothing was written there).
  fs->RemoveFile(seg->index_path_).IgnoreError();
  ASSIGN_OR_RETURN(uint64_t valid, seg->Scan(file_size));
  if (valid < file_size) {
    // Only a statistic: if the tail cannot be read, all of it counts as cut.
    const uint64_t written = EndOfNonZero(seg->reader_.get(), valid, file_size).value_or(file_size);
    RETURN_IF_ERROR(fs->TruncateFile(seg->log_path_, valid));
    *truncated_bytes = written - valid;
  }
  ASSIGN_OR_RETURN(seg->writer_, fs->NewAppendableFile(seg->log_path_));
  if (valid < file_size) RETURN_IF_ERROR(seg->writer_->Sync());
  return seg;
}

Result<uint64_t> Segment::Scan(uint64_t file_size) {
  std::string buf;
  BatchCursor cursor(0, file_size, ReadAheadInto(reader_.get(), file_size, &buf));
  while (true) {
    const uint64_t pos = cursor.position();
    BatchHeader h;
    std::string_view batch;
    Result<bool> more = cursor.Next(INT64_MIN, &h, &batch);
    if (!more.ok()) {
      if (more.status().code() != StatusCode::kCorruption) return more.status();
      return pos;  // the first invalid byte
    }
    if (!*more) return pos;
    if (h.base_offset != next_offset_ || !DecodeBatch(batch, h, 0, nullptr).ok()) return pos;
    Publish(h, pos);
  }
}

void Segment::Publish(const BatchHeader& h, uint64_t position) {
  if (index_.empty() || position - index_.back().position >= kIndexIntervalBytes) {
    index_.push_back({static_cast<uint32_t>(h.base_offset - base_offset_),
                      static_cast<uint32_t>(position)});
  }
  size_ = position + h.total_size();
  next_offset_ = h.next_offset();
  max_timestamp_ = std::max(max_timestamp_, h.max_timestamp);
}

uint64_t Segment::FindPosition(int64_t offset) const {
  auto it = std::upper_bound(index_.begin(), index_.end(), offset - base_offset_,
                             [](int64_t rel, const IndexEntry& e) { return rel < e.relative_offset; });
  return it == index_.begin() ? 0 : std::prev(it)->position;
}

Status Segment::Write(std::string_view batches, bool syncs_cost) {
  if (writer_ == nullptr) return FailedPreconditionError("segment " + log_path_ + " is sealed");
  const auto n = static_cast<int64_t>(batches.size());
  mean_write_ += (n - mean_write_) / 8;
  const uint64_t end = writer_->Size() + batches.size();
  if (syncs_cost && end > zero_end_ &&
      mean_write_ < static_cast<int64_t>(kPreallocateMaxMeanWrite)) {
    // Best effort: without the zeros the append still works, its sync just costs more.
    if (writer_->Preallocate(end + kPreallocateBytes).ok()) zero_end_ = end + kPreallocateBytes;
  }
  return writer_->Append(batches);
}

Status Segment::Sync() {
  if (writer_ == nullptr) return FailedPreconditionError("segment " + log_path_ + " is sealed");
  return writer_->Sync();
}

std::string Segment::EncodeIndex() const {
  std::string body;
  coding::PutFixed64(&body, size_);
  coding::PutFixed64(&body, static_cast<uint64_t>(next_offset_));
  coding::PutFixed64(&body, static_cast<uint64_t>(max_timestamp_));
  coding::PutFixed32(&body, static_cast<uint32_t>(index_.size()));
  for (const IndexEntry& e : index_) {
    coding::PutFixed32(&body, e.relative_offset);
    coding::PutFixed32(&body, e.position);
  }
  std::string out;
  coding::PutFixed32(&out, kIndexMagic);
  coding::PutFixed32(&out, crc32c::Value(body));
  return out + body;
}

bool Segment::LoadIndex(uint64_t file_size) {
  std::string data;
  if (!io::ReadFileToString(fs_, index_path_, &data).ok()) return false;
  if (data.size() < kIndexHeaderSize || coding::DecodeFixed32(data.data()) != kIndexMagic) {
    return false;
  }
  const char* p = data.data();
  if (crc32c::Value(p + 8, data.size() - 8) != coding::DecodeFixed32(p + 4)) return false;
  if (coding::DecodeFixed64(p + 8) != file_size) return false;
  const uint32_t count = coding::DecodeFixed32(p + 32);
  if (data.size() != kIndexHeaderSize + 8ull * count) return false;
  std::vector<IndexEntry> entries(count);
  for (uint32_t i = 0; i < count; ++i) {
    entries[i] = {coding::DecodeFixed32(p + 36 + 8 * i), coding::DecodeFixed32(p + 40 + 8 * i)};
    if (entries[i].position >= file_size) return false;
    if (i > 0 && (entries[i].position <= entries[i - 1].position ||
                  entries[i].relative_offset <= entries[i - 1].relative_offset)) {
      return false;
    }
  }
  size_ = file_size;
  next_offset_ = static_cast<int64_t>(coding::DecodeFixed64(p + 16));
  max_timestamp_ = static_cast<int64_t>(coding::DecodeFixed64(p + 24));
  index_ = std::move(entries);
  return next_offset_ > base_offset_;
}

Status Segment::Seal() {
  if (writer_ != nullptr) {
    Status s = writer_->Close();  // cuts off preallocated zeros, durably: a sealed segment
    writer_.reset();              // is valid to its end
    RETURN_IF_ERROR(s);
  }
  const std::string index = EncodeIndex();
  ASSIGN_OR_RETURN(auto file, fs_->NewWritableFile(index_path_));
  RETURN_IF_ERROR(file->Append(index));
  RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

Status Segment::ReadBatches(uint64_t position, uint64_t end, int64_t min_offset,
                            size_t max_bytes, std::vector<StoredRecord>* out,
                            size_t* bytes) const {
  std::string buf;
  BatchCursor cursor(position, end, ReadAheadInto(reader_.get(), end, &buf));
  BatchHeader h;
  std::string_view batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, cursor.Next(min_offset, &h, &batch));
    if (!more) return Status::OK();
    const size_t first_new = out->size();
    RETURN_IF_ERROR(DecodeBatch(batch, h, min_offset, out).WithContext(log_path_));
    for (size_t i = first_new; i < out->size(); ++i) {
      const size_t n = RecordPayloadBytes((*out)[i].record);
      if (i > 0 && *bytes + n > max_bytes) {
        out->resize(i);
        *bytes = max_bytes;  // full: the caller stops here
        return Status::OK();
      }
      *bytes += n;
    }
    if (*bytes >= max_bytes) return Status::OK();
  }
}

Result<bool> Segment::ReadBatchViews(uint64_t position, uint64_t end, int64_t min_offset,
                                     size_t max_bytes, RecordViews* out, size_t* bytes) const {
  // Each load is a new chunk of *out (views point into it): what the payload still allowed
  // needs plus the batches' overhead (an eighth, and 4 KiB), at most 16 MiB unless one batch
  // is larger. A batch that runs past a chunk's end starts the next chunk (its partial copy
  // in the old one is left unused), which is sized the same way, so a read cut by max_bytes
  // inside a large batch reads little more than that batch.
  constexpr size_t kMaxChunk = 16 << 20;
  auto load = [&](uint64_t from, size_t need) -> Result<std::string_view> {
    const size_t left = max_bytes > *bytes ? max_bytes - *bytes : 0;
    const size_t budget = left >= kMaxChunk ? kMaxChunk : left + left / 8 + 4096;
    const auto want = static_cast<size_t>(std::min<uint64_t>(std::max(need, budget), end - from));
    RecordViews::Chunk* chunk = out->NewChunk(want);
    ASSIGN_OR_RETURN(chunk->size, reader_->ReadInto(from, want, chunk->data.get()));
    if (chunk->size < need) return CorruptionError("segment file shorter than expected");
    RecordViews::Seal(chunk);
    return chunk->view();
  };
  BatchCursor cursor(position, end, load);
  BatchHeader h;
  std::string_view batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, cursor.Next(min_offset, &h, &batch));
    if (!more) return false;
    Result<bool> full = DecodeBatchViews(batch, h, min_offset, max_bytes, out, bytes);
    if (!full.ok()) return full.status().WithContext(log_path_);
    if (*full) return true;
  }
}

Status Segment::RemoveFiles() {
  RETURN_IF_ERROR(fs_->RemoveFile(log_path_));
  Status s = fs_->RemoveFile(index_path_);
  if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  return Status::OK();
}

}  // namespace pinpipe::log
