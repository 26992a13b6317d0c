#include "batch/raw_objects.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace pinpipe::batch {
namespace {

template <typename Int>
bool ParseInt(std::string_view text, Int* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= 0;
}

}  // namespace

std::optional<RawObject> ParseSinkKey(std::string_view key) {
  constexpr std::string_view kTopics = "topics/";
  constexpr std::string_view kPartition = "/partition=";
  constexpr std::string_view kSuffix = ".json";
  if (!key.starts_with(kTopics) || !key.ends_with(kSuffix)) return std::nullopt;
  std::string_view rest = key.substr(kTopics.size());
  size_t slash = rest.find(kPartition);
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  RawObject object;
  object.key = std::string(key);
  object.topic = std::string(rest.substr(0, slash));
  rest = rest.substr(slash + kPartition.size());
  size_t file_start = rest.find('/');
  if (file_start == std::string_view::npos) return std::nullopt;
  if (!ParseInt(rest.substr(0, file_start), &object.partition)) return std::nullopt;
  std::string_view file = rest.substr(file_start + 1);
  file.remove_suffix(kSuffix.size());
  // <topic>+<p>+<offset>: the topic may itself hold '+', so match from the right.
  size_t plus2 = file.rfind('+');
  if (plus2 == std::string_view::npos || file.size() - plus2 - 1 != 10) return std::nullopt;
  if (!ParseInt(file.substr(plus2 + 1), &object.start_offset)) return std::nullopt;
  std::string expected_head = object.topic + "+" + std::to_string(object.partition);
  if (file.substr(0, plus2) != expected_head) return std::nullopt;
  return object;
}

std::string SinkKey(std::string_view topic, int32_t partition, int64_t start_offset) {
  char offset[24];
  std::snprintf(offset, sizeof offset, "%010lld", static_cast<long long>(start_offset));
  std::string p = std::to_string(partition);
  std::string key = "topics/";
  key.append(topic).append("/partition=").append(p).append("/");
  key.append(topic).append("+").append(p).append("+").append(offset).append(".json");
  return key;
}

Result<std::vector<RawObject>> ListRawObjects(objstore::ObjectStore& store,
                                              std::string_view topic,
                                              const std::map<int32_t, int64_t>& from) {
  std::string prefix = "topics/" + std::string(topic) + "/partition=";
  ASSIGN_OR_RETURN(std::vector<objstore::ObjectInfo> listed, objstore::ListAll(store, prefix));
  std::vector<RawObject> objects;
  for (const objstore::ObjectInfo& info : listed) {
    std::optional<RawObject> object = ParseSinkKey(info.key);
    if (!object.has_value() || object->topic != topic) continue;
    auto it = from.find(object->partition);
    if (it != from.end() && object->start_offset < it->second) continue;
    object->size = info.size;
    objects.push_back(std::move(*object));
  }
  std::sort(objects.begin(), objects.end(), [](const RawObject& a, const RawObject& b) {
    return std::tie(a.partition, a.start_offset) < std::tie(b.partition, b.start_offset);
  });
  return objects;
}

Status FetchInOrder(objstore::ObjectStore& store, std::span<const RawObject> objects,
                    int threads,
                    const std::function<Status(int worker, size_t i, std::string bytes)>& process,
                    const std::function<Status(size_t i)>& consume) {
  if (objects.empty()) return Status::OK();
  // Runs [starts[r], starts[r + 1]) of consecutive objects, one hand-over each.
  std::vector<size_t> starts = {0};
  uint64_t run_bytes = 0;
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > starts.back() && (run_bytes >= kRunBytes || i - starts.back() >= kRunObjects)) {
      starts.push_back(i);
      run_bytes = 0;
    }
    run_bytes += objects[i].size;
  }
  const size_t runs = starts.size();
  starts.push_back(objects.size());
  threads = std::clamp<int>(threads, 1, static_cast<int>(runs));
  const size_t window = 2 * static_cast<size_t>(threads);

  std::mutex mu;
  std::condition_variable ready;  // a run is done (the caller waits)
  std::condition_variable room;   // the window moved (workers wait)
  struct Outcome {
    Status status;  // of the first object that failed
    size_t end;     // objects [start, end) of the run were processed
  };
  std::vector<std::optional<Outcome>> done(window);  // slot r % window: run r's
  size_t next = 0;       // the next run a worker takes
  size_t consumed = 0;   // runs handed to `consume`
  bool stop = false;

  auto worker = [&](int w) {
    std::unique_lock lock(mu);
    while (true) {
      room.wait(lock, [&] { return stop || next >= runs || next < consumed + window; });
      if (stop || next >= runs) return;
      size_t r = next++;
      lock.unlock();
      Status status;
      size_t i = starts[r];
      for (; i < starts[r + 1]; ++i) {
        Result<std::string> bytes = store.Get(objects[i].key);
        if (!bytes.ok()) {
          status = Status(bytes.status().code(), "reading " + objects[i].key + ": " +
                                                     std::string(bytes.status().message()));
        } else {
          status = process(w, i, std::move(*bytes));
        }
        if (!status.ok()) break;
      }
      lock.lock();
      done[r % window] = Outcome{std::move(status), i};
      ready.notify_one();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);

  Status status;
  for (size_t r = 0; r < runs && status.ok(); ++r) {
    Outcome outcome;
    {
      std::unique_lock lock(mu);
      ready.wait(lock, [&] { return done[r % window].has_value(); });
      outcome = std::move(*done[r % window]);
      done[r % window].reset();
      ++consumed;
      room.notify_all();
    }
    for (size_t i = starts[r]; i < outcome.end && status.ok(); ++i) status = consume(i);
    if (status.ok()) status = std::move(outcome.status);
  }
  {
    std::lock_guard lock(mu);
    stop = true;
    room.notify_all();
  }
  for (std::thread& t : pool) t.join();
  return status;
}

Status FetchInOrder(objstore::ObjectStore& store, std::span<const RawObject> objects,
                    int threads,
                    const std::function<Status(const RawObject&, std::string bytes)>& consume) {
  std::vector<std::string> held(objects.size());
  return FetchInOrder(
      store, objects, threads,
      [&](int, size_t i, std::string bytes) {
        held[i] = std::move(bytes);
        return Status::OK();
      },
      [&](size_t i) { return consume(objects[i], std::move(held[i])); });
}

}  // namespace pinpipe::batch
