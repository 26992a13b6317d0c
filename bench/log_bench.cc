// log_bench: db_bench-style throughput of the embedded topic log's partition on the real
// disk, with a baseline measured in the same run: the same bytes written sequentially with
// an fdatasync every 1 MiB (the best a durable log can hope for on this disk).
//
//   log_bench [--dir=PATH] [--num=N] [--value_size=BYTES] [--sync_num=N]
//
// Rows: baseline; fillseq (appends of one record, no fdatasync); readseq (the fillseq
// partition from offset 0 in 1 MiB reads); fillbatch (100 records per append, no fdatasync);
// fillsyncbatch (100 records per durable append); fillsync with 1, 8 and 64 threads (durable
// one-record appends: group commit shares the fdatasyncs). MB/s counts value bytes; the
// ratio column is MB/s over the baseline's.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/crc32c.h"
#include "io/posix_file_system.h"
#include "log/partition.h"

namespace pinpipe::log {
namespace {

struct Flags {
  std::string dir = "log_bench_data";
  int64_t num = 200000;
  int64_t sync_num = 4000;  // appends per fillsync row (each is at least one fdatasync)
  size_t value_size = 100;
};

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double g_baseline_mbs = 0;  // set by the baseline row, which runs first

void Row(const char* name, int64_t ops, int64_t bytes, double secs, const char* note) {
  const double mbs = bytes / 1048576.0 / secs;
  std::printf("%-13s: %9.2f micros/op; %8.1f MB/s; %10.0f records/s; %5.2fx baseline  %s\n",
              name, secs * 1e6 / static_cast<double>(ops), mbs, ops / secs,
              g_baseline_mbs > 0 ? mbs / g_baseline_mbs : 1.0, note);
}

void Die(const Status& s) {
  std::fprintf(stderr, "log_bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

std::unique_ptr<Partition> OpenFresh(const std::string& dir, bool sync) {
  std::filesystem::remove_all(dir);
  PartitionOptions options;
  options.sync = sync;
  auto p = Partition::Open(io::PosixFileSystem::Default(), dir, dir, options, Clock::Real());
  if (!p.ok()) Die(p.status());
  return std::move(p).value();
}

// Appends `per_thread` batches of `batch` records from each of `threads` threads.
double Fill(Partition* p, int threads, int64_t per_thread, size_t value_size, int batch = 1) {
  const double start = Now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([=] {
      std::vector<Record> r(batch);
      for (Record& rec : r) rec.value.assign(value_size, static_cast<char>('a' + t));
      for (int64_t i = 0; i < per_thread; ++i) {
        auto s = p->Append(r);
        if (!s.ok()) Die(s.status());
      }
    });
  }
  for (auto& w : workers) w.join();
  return Now() - start;
}

// Writes `data` sequentially in `chunk`-byte writes with an fdatasync every 1 MiB.
double Baseline(const std::string& path, const std::string& data, size_t chunk) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Die(ErrnoError("open", path, errno));
  const double start = Now();
  size_t since_sync = 0;
  for (size_t off = 0; off < data.size(); off += chunk) {
    size_t n = std::min(chunk, data.size() - off);
    if (::write(fd, data.data() + off, n) != static_cast<ssize_t>(n)) {
      Die(ErrnoError("write", path, errno));
    }
    since_sync += n;
    if (since_sync >= (1 << 20)) {
      if (::fdatasync(fd) != 0) Die(ErrnoError("fdatasync", path, errno));
      since_sync = 0;
    }
  }
  if (::fdatasync(fd) != 0) Die(ErrnoError("fdatasync", path, errno));
  const double secs = Now() - start;
  ::close(fd);
  return secs;
}

int Main(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--dir=", 0) == 0) f.dir = a.substr(6);
    else if (a.rfind("--num=", 0) == 0) f.num = std::atoll(a.c_str() + 6);
    else if (a.rfind("--sync_num=", 0) == 0) f.sync_num = std::atoll(a.c_str() + 11);
    else if (a.rfind("--value_size=", 0) == 0) f.value_size = std::atoll(a.c_str() + 13);
    else {
      std::fprintf(stderr, "usage: log_bench [--dir=] [--num=] [--sync_num=] [--value_size=]\n");
      return 2;
    }
  }
  std::filesystem::create_directories(f.dir);
  std::printf("log_bench: dir=%s value_size=%zu num=%lld sync_num=%lld crc32c=%s cores=%u\n",
              f.dir.c_str(), f.value_size, static_cast<long long>(f.num),
              static_cast<long long>(f.sync_num), crc32c::IsHardwareAccelerated() ? "sse4.2" : "table",
              std::thread::hardware_concurrency());
  std::printf("MB/s counts record payload (value bytes); the log adds ~%zu bytes/record of framing.\n",
              kBatchHeaderSize + 3);

  // Baseline first: the bytes fillseq will write (one encoded batch per record), written
  // plainly in 64 KiB writes with an fdatasync every 1 MiB.
  const int64_t seq_bytes = f.num * static_cast<int64_t>(f.value_size);
  {
    std::string data;
    std::vector<Record> r(1);
    r[0].value.assign(f.value_size, 'a');
    for (int64_t i = 0; i < f.num; ++i) EncodeBatch(i, r, 0, &data).IgnoreError();
    const double secs = Baseline(f.dir + "/baseline.dat", data, 64 << 10);
    Row("baseline", f.num, seq_bytes, secs, "(same bytes: 64 KiB write()s, fdatasync every 1 MiB)");
    g_baseline_mbs = seq_bytes / 1048576.0 / secs;
    std::filesystem::remove(f.dir + "/baseline.dat");
  }

  // fillseq + readseq on the same partition.
  const std::string seq_dir = f.dir + "/fillseq";
  auto seq = OpenFresh(seq_dir, /*sync=*/false);
  double secs = Fill(seq.get(), 1, f.num, f.value_size);
  Row("fillseq", f.num, seq_bytes, secs, "(1 thread, 1 record/append, no fdatasync)");
  {
    const double start = Now();
    int64_t offset = 0, records = 0;
    while (offset < seq->end_offset()) {
      auto got = seq->Read(offset, 1 << 20);
      if (!got.ok()) Die(got.status());
      records += static_cast<int64_t>(got->size());
      offset = got->back().offset + 1;
    }
    Row("readseq", records, records * static_cast<int64_t>(f.value_size), Now() - start,
        "(1 MiB reads from offset 0)");
  }
  {
    auto p = OpenFresh(f.dir + "/fillbatch", /*sync=*/false);
    secs = Fill(p.get(), 1, f.num / 100, f.value_size, 100);
    Row("fillbatch", f.num / 100 * 100, f.num / 100 * 100 * static_cast<int64_t>(f.value_size),
        secs, "(1 thread, 100 records/append, no fdatasync)");
  }
  {
    auto p = OpenFresh(f.dir + "/fillsyncbatch", /*sync=*/true);
    const int64_t appends = std::max<int64_t>(1, f.sync_num / 4);
    secs = Fill(p.get(), 1, appends, f.value_size, 100);
    Row("fillsyncbatch", appends * 100, appends * 100 * static_cast<int64_t>(f.value_size), secs,
        "(1 thread, 100 records/append, durable)");
  }

  for (int threads : {1, 8, 64}) {
    auto p = OpenFresh(f.dir + "/fillsync" + std::to_string(threads), /*sync=*/true);
    const int64_t per_thread = std::max<int64_t>(1, f.sync_num / threads) * (threads == 1 ? 1 : 4);
    secs = Fill(p.get(), threads, per_thread, f.value_size);
    const int64_t ops = per_thread * threads;
    char note[64];
    std::snprintf(note, sizeof(note), "(%d thread%s, durable)", threads, threads > 1 ? "s" : "");
    std::string name = "fillsync/" + std::to_string(threads);
    Row(name.c_str(), ops, ops * static_cast<int64_t>(f.value_size), secs, note);
  }

  std::filesystem::remove_all(f.dir);
  return 0;
}

}  // namespace
}  // namespace pinpipe::log

int main(int argc, char** argv) { return pinpipe::log::Main(argc, argv); }
