// fsync_noop: an LD_PRELOAD library for the ingest benchmarks, never for a real run. fsync and
// fdatasync return 0 at once without syncing anything, so `pinpipe up` under it answers as
// soon as a group is written to the page cache. What it measures is the ceiling of the
// durable path: how fast ingest would go if an fdatasync cost neither time nor CPU. The gap
// between that and the durable run is what durability costs on the machine; the gap between
// it and the baseline is what the request path costs (docs/performance.md).
//
//   LD_PRELOAD=build/release/bench/libfsync_noop.so pinpipe up ...   (data is NOT durable)
//
// With FSYNC_NOOP_SLEEP_US=N in the environment, each call sleeps N µs instead (still
// syncing nothing): a disk whose flush always takes N µs and no CPU. This machine's real
// fdatasync swings between ~170 and ~900 µs from one minute to the next, more than most
// changes to the server move its rate; with a fixed one, two builds (or pinpipe and
// bench/floor_server) can be compared run against run:
//
//   FSYNC_NOOP_SLEEP_US=300 LD_PRELOAD=build/release/bench/libfsync_noop.so pinpipe up ...
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>

static void Pause(void) {
  static long micros = -1;  // read once; a race only reads it twice
  if (micros < 0) {
    const char* env = getenv("FSYNC_NOOP_SLEEP_US");
    micros = env == NULL ? 0 : atol(env);
  }
  if (micros <= 0) return;
  struct timespec t = {micros / 1000000, (micros % 1000000) * 1000};
  while (nanosleep(&t, &t) != 0) {
  }
}

int fsync(int fd) {
  (void)fd;
  Pause();
  return 0;
}

int fdatasync(int fd) {
  (void)fd;
  Pause();
  return 0;
}
