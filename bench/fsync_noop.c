// fsync_noop: an LD_PRELOAD library for the ingest benchmarks, never for a real run. fsync and
// fdatasync return 0 at once without syncing anything, so `pinpipe up` under it answers as
// soon as a group is written to the page cache. What it measures is the ceiling of the
// durable path: how fast ingest would go if an fdatasync cost neither time nor CPU. The gap
// between that and the durable run is what durability costs on the machine; the gap between
// it and the baseline is what the request path costs (docs/performance.md).
//
//   LD_PRELOAD=build/release/bench/libfsync_noop.so pinpipe up ...   (data is NOT durable)

int fsync(int fd) {
  (void)fd;
  return 0;
}

int fdatasync(int fd) {
  (void)fd;
  return 0;
}
