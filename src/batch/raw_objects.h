// Raw objects: what the sink wrote, in the Confluent S3 sink layout
//   topics/<topic>/partition=<p>/<topic>+<p>+<start offset, 10 digits>.json
// one JSON value per line. The batch job lists them per topic, skips those a Delta table has
// already taken in (by partition and start offset), and fetches the rest in parallel.
//
// Thread-safety: the functions are thread-safe; FetchInOrder calls `consume` on the calling
// thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "objstore/object_store.h"

namespace pinpipe::batch {

struct RawObject {
  std::string key;
  std::string topic;
  int32_t partition = 0;
  int64_t start_offset = 0;
  uint64_t size = 0;
};

// The parts of a sink key; nullopt for any other key (a temp file, a foreign object).
std::optional<RawObject> ParseSinkKey(std::string_view key);

// The sink key of an object (the inverse of ParseSinkKey).
std::string SinkKey(std::string_view topic, int32_t partition, int64_t start_offset);

// `topic`'s objects in (partition, start offset) order, leaving out, per partition, those whose
// start offset is below `from[partition]` (already processed). Keys that do not parse are
// skipped.
Result<std::vector<RawObject>> ListRawObjects(objstore::ObjectStore& store,
                                              std::string_view topic,
                                              const std::map<int32_t, int64_t>& from);

// Gets every object with up to `threads` requests in flight (many small objects are the
// common case: the original sink wrote one record per object), and hands each to `consume`
// in the order of `objects`, at most about 2 × threads objects held at once. Stops at the
// first error (of a get or of `consume`) and returns it.
Status FetchInOrder(objstore::ObjectStore& store, std::span<const RawObject> objects,
                    int threads,
                    const std::function<Status(const RawObject&, std::string bytes)>& consume);

// The same with work done on the fetching threads: `threads` workers get the objects and call
// `process(worker, i, bytes)` for objects[i] on their own thread (`worker` in [0, threads)
// names the thread, for per-thread state; `process` keeps what it makes, e.g. in slot i of a
// vector); then `consume(i)` runs on the calling thread, in order of i, after process(.., i, ..)
// returned OK (the hand-over orders their memory). Workers take runs of consecutive objects
// (up to kRunBytes of listed size or kRunObjects objects), so a run of tiny objects costs one
// hand-over, and at most 2 × threads runs are fetched ahead of `consume`. Stops at the first
// error (of a get, `process` or `consume`) and returns it.
inline constexpr uint64_t kRunBytes = 256 << 10;
inline constexpr size_t kRunObjects = 256;
Status FetchInOrder(objstore::ObjectStore& store, std::span<const RawObject> objects,
                    int threads,
                    const std::function<Status(int worker, size_t i, std::string bytes)>& process,
                    const std::function<Status(size_t i)>& consume);

}  // namespace pinpipe::batch
