#include "source/seeder.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pinpipe::source {

Result<SeedStats> Seed(SourceDb& db, const SeedOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(db.BeginBulkLoad());
  const Generator generator(options.generator);
  const int64_t rows = std::max<int64_t>(options.rows, 0);
  const int64_t chunk = std::max<int64_t>(options.chunk_rows, 1);
  const int64_t chunks = (rows + chunk - 1) / chunk;

  // Double buffering: the producer fills buffer k % 2 while the caller inserts the other.
  // The Post objects are reused, so steady-state generation does not allocate.
  std::array<std::vector<model::Post>, 2> buffers;
  std::mutex mu;
  std::condition_variable cv;
  std::array<bool, 2> full = {false, false};  // guarded by mu
  bool stop = false;                          // guarded by mu

  std::thread producer([&] {
    for (int64_t k = 0; k < chunks; ++k) {
      const size_t slot = static_cast<size_t>(k % 2);
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return !full[slot] || stop; });
        if (stop) return;
      }
      const int64_t begin = k * chunk;
      const int64_t n = std::min(chunk, rows - begin);
      std::vector<model::Post>& buffer = buffers[slot];
      buffer.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) generator.Fill(begin + i, &buffer[static_cast<size_t>(i)]);
      {
        std::lock_guard lock(mu);
        full[slot] = true;
      }
      cv.notify_all();
    }
  });

  Status status;
  int64_t done = 0;
  for (int64_t k = 0; k < chunks; ++k) {
    const size_t slot = static_cast<size_t>(k % 2);
    const int64_t n = std::min(chunk, rows - k * chunk);  // the buffer is refilled once released
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return full[slot]; });
    }
    status = db.InsertPosts(buffers[slot]);
    {
      std::lock_guard lock(mu);
      full[slot] = false;
      if (!status.ok()) stop = true;
    }
    cv.notify_all();
    if (!status.ok()) {
      status = status.WithContext("inserting rows " + std::to_string(done) + ".." +
                                  std::to_string(done + n - 1));
      break;
    }
    done += n;
    if (options.progress) options.progress(done);
  }
  producer.join();
  const Status ended = db.EndBulkLoad();
  if (status.ok()) status = ended;
  if (!status.ok()) return status;
  SeedStats stats;
  stats.rows = done;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace pinpipe::source
