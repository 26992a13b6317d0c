// floor_server: the least work a durable produce server can do, as a bound for the ingest
// benchmarks (ingest_bench.sh, batch_ingest_bench.sh). It is not pinpipe and shares no code
// with it: it answers every POST with a fixed 200 once the request's body is written to a
// file and fdatasync'ed, the way pinpipe's log acknowledges an append, and does nothing else
// (no JSON, no record format, no index, no topics, no metrics).
//
//   floor_server PORT LOG_FILE [--no-sync]
//
// Shape, each part the cheapest known for it:
//   - one epoll thread, edge-triggered, one recv per readiness (as nginx does);
//   - group commit: bodies that arrive while a sync runs form the next group, which the sync
//     thread takes as soon as its fdatasync returns (one group in flight: on this kind of
//     disk, flushes do not overlap, see docs/performance.md);
//   - the sync thread pwrites a group and fdatasyncs; small groups overwrite zeros written
//     ahead of them (1 MiB at a time), so the sync changes no file size or block map, as
//     pinpipe's preallocated segments do;
//   - the epoll thread answers a synced group, one send per request, while the next syncs.
// With --no-sync it answers after the pwrite: the same server with durability free.
//
// If this server cannot reach a target on a machine, no design of pinpipe's shape (answer
// after fdatasync, one process, the same load) is likely to: that is what the benches print
// its ratio for. Bench code: no limits, no timeouts, no error replies; bad input closes the
// connection. Linux only.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
  kMaxFds = 65536,
  kConnBuffer = 256 * 1024,  // a whole request must fit: the batched bodies are ~30 KB
  kGroupBytes = 64 * 1024 * 1024,
  kMaxGroup = 65536,         // requests in one group
  kZeroChunk = 1024 * 1024,  // written ahead of small groups
  kSmallGroup = 128 * 1024,  // groups under this overwrite zeros
};

// The body nginx answers with in the benches (bench/common.sh).
static const char kBody[] =
    "{\"offsets\":[{\"partition\":0,\"offset\":0,\"error_code\":null,\"error\":null}],"
    "\"key_schema_id\":null,\"value_schema_id\":null}";
static char response[512];
static size_t response_len;

typedef struct {
  int fd;
  uint32_t generation;  // tells a reused fd's new connection from the one a group answers
  size_t len;
  char buf[kConnBuffer];
} Conn;

typedef struct {
  int fd;
  uint32_t generation;
} Waiter;

typedef struct {
  char* bytes;
  size_t len;
  Waiter* waiters;
  int count;
} Group;

typedef struct {
  Waiter* waiters;
  int count, capacity;
} Answers;

static Conn* conns[kMaxFds];
static uint32_t next_generation = 1;
static int epoll_fd, done_fd, log_fd, sync_enabled = 1;

// Bodies move incoming (epoll thread, one batch of events) -> filling (under mutex) ->
// syncing (sync thread); the synced group's waiters move to answers (under mutex) and then
// to answering (epoll thread), which sends.
static Group incoming, filling, syncing;
static Answers answers, answering;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static void Die(const char* what) {
  perror(what);
  exit(1);
}

static void WriteAll(const char* bytes, size_t len, off_t at) {
  while (len > 0) {
    ssize_t n = pwrite(log_fd, bytes, len, at);
    if (n < 0) {
      if (errno == EINTR) continue;
      Die("floor_server: pwrite");
    }
    bytes += n;
    len -= (size_t)n;
    at += n;
  }
}

static void Swap(Group* a, Group* b) {
  Group t = *a;
  *a = *b;
  *b = t;
}

static void* SyncThread(void* unused) {
  (void)unused;
  static const char zeros[kZeroChunk];
  off_t end = 0, zeros_end = 0;
  for (;;) {
    pthread_mutex_lock(&mutex);
    while (filling.count == 0) pthread_cond_wait(&wake, &mutex);
    Swap(&filling, &syncing);
    pthread_mutex_unlock(&mutex);
    if (sync_enabled && syncing.len < kSmallGroup && end + (off_t)syncing.len > zeros_end) {
      WriteAll(zeros, sizeof zeros, zeros_end > end ? zeros_end : end);
      zeros_end = (zeros_end > end ? zeros_end : end) + (off_t)sizeof zeros;
    }
    WriteAll(syncing.bytes, syncing.len, end);
    end += (off_t)syncing.len;
    if (sync_enabled && fdatasync(log_fd) != 0) Die("floor_server: fdatasync");
    pthread_mutex_lock(&mutex);
    if (answers.count + syncing.count > answers.capacity) {
      answers.capacity = 2 * (answers.count + syncing.count);
      answers.waiters = realloc(answers.waiters, sizeof(Waiter) * (size_t)answers.capacity);
      if (answers.waiters == NULL) Die("floor_server: realloc");
    }
    memcpy(answers.waiters + answers.count, syncing.waiters,
           sizeof(Waiter) * (size_t)syncing.count);
    answers.count += syncing.count;
    pthread_mutex_unlock(&mutex);
    syncing.len = 0;
    syncing.count = 0;
    uint64_t one = 1;
    if (write(done_fd, &one, sizeof one) != sizeof one) Die("floor_server: eventfd");
  }
  return NULL;
}

// End of a batch of events: what came in joins the group the sync thread takes next.
static void HandOver(void) {
  if (incoming.count == 0) return;
  pthread_mutex_lock(&mutex);
  if (filling.count == 0) {
    Swap(&incoming, &filling);
  } else if (filling.len + incoming.len <= kGroupBytes &&
             filling.count + incoming.count <= kMaxGroup) {
    memcpy(filling.bytes + filling.len, incoming.bytes, incoming.len);
    memcpy(filling.waiters + filling.count, incoming.waiters,
           sizeof(Waiter) * (size_t)incoming.count);
    filling.len += incoming.len;
    filling.count += incoming.count;
  } else {
    pthread_mutex_unlock(&mutex);
    return;  // full: keep it for the next batch (the sync thread empties filling meanwhile)
  }
  pthread_cond_signal(&wake);
  pthread_mutex_unlock(&mutex);
  incoming.len = 0;
  incoming.count = 0;
}

static void Answer(void) {
  pthread_mutex_lock(&mutex);
  Answers t = answers;
  answers = answering;
  answering = t;
  pthread_mutex_unlock(&mutex);
  for (int i = 0; i < answering.count; i++) {
    Conn* c = conns[answering.waiters[i].fd];
    if (c == NULL || c->generation != answering.waiters[i].generation) continue;
    (void)send(c->fd, response, response_len, MSG_NOSIGNAL);
  }
  answering.count = 0;
}

static void CloseConn(Conn* c) {
  conns[c->fd] = NULL;
  close(c->fd);
  free(c);
}

// Moves every complete request in c's buffer into the incoming group. 0: close c.
static int TakeRequests(Conn* c) {
  size_t used = 0;
  for (;;) {
    char* start = c->buf + used;
    size_t avail = c->len - used;
    char* head_end = memmem(start, avail, "\r\n\r\n", 4);
    if (head_end == NULL) break;
    size_t head_len = (size_t)(head_end + 4 - start);
    size_t body = 0;
    for (char* line = start; line < head_end;) {
      char* eol = memmem(line, (size_t)(head_end + 2 - line), "\r\n", 2);  // found by head_end
      if ((size_t)(eol - line) > 15 && strncasecmp(line, "content-length:", 15) == 0) {
        body = strtoul(line + 15, NULL, 10);  // stops at the '\r'
      }
      line = eol + 2;
    }
    if (head_len + body > kConnBuffer) return 0;
    if (avail < head_len + body) break;
    if (incoming.len + body > kGroupBytes || incoming.count == kMaxGroup) return 0;
    memcpy(incoming.bytes + incoming.len, head_end + 4, body);
    incoming.len += body;
    incoming.waiters[incoming.count++] = (Waiter){c->fd, c->generation};
    used += head_len + body;
  }
  memmove(c->buf, c->buf + used, c->len - used);
  c->len -= used;
  return 1;
}

static void OnReadable(Conn* c) {
  for (;;) {
    size_t room = kConnBuffer - c->len;
    ssize_t n = recv(c->fd, c->buf + c->len, room, 0);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      CloseConn(c);
      return;
    }
    c->len += (size_t)n;
    if (!TakeRequests(c)) {
      CloseConn(c);
      return;
    }
    if ((size_t)n < room) return;  // drained: edge-triggered, the next data raises an event
  }
}

static void OnAccept(int listener) {
  int one = 1;
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
    if (fd < 0) return;
    if (fd >= kMaxFds) {
      close(fd);
      continue;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Conn* c = malloc(sizeof *c);
    if (c == NULL) Die("floor_server: malloc");
    c->fd = fd;
    c->generation = next_generation++;
    c->len = 0;
    conns[fd] = c;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) CloseConn(c);
  }
}

int main(int argc, char** argv) {
  if (argc < 3 || (argc == 4 && strcmp(argv[3], "--no-sync") != 0) || argc > 4) {
    fprintf(stderr, "usage: floor_server PORT LOG_FILE [--no-sync]\n");
    return 2;
  }
  sync_enabled = argc == 3;
  response_len =
      (size_t)snprintf(response, sizeof response,
                       "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.kafka.v2+json\r\n"
                       "Content-Length: %zu\r\n\r\n%s",
                       sizeof kBody - 1, kBody);
  log_fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log_fd < 0) Die(argv[2]);
  Group* groups[] = {&incoming, &filling, &syncing};
  for (int i = 0; i < 3; i++) {
    Group* g = groups[i];
    g->bytes = malloc(kGroupBytes);
    g->waiters = malloc(sizeof(Waiter) * kMaxGroup);
    if (g->bytes == NULL || g->waiters == NULL) Die("floor_server: malloc");
  }

  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)atoi(argv[1])),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0) Die("floor_server: bind");
  if (listen(listener, 1024) != 0) Die("floor_server: listen");
  epoll_fd = epoll_create1(0);
  done_fd = eventfd(0, EFD_NONBLOCK);
  if (epoll_fd < 0 || done_fd < 0) Die("floor_server: epoll");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &ev);
  ev.data.fd = done_fd;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, done_fd, &ev);
  pthread_t thread;
  if (pthread_create(&thread, NULL, SyncThread, NULL) != 0) Die("floor_server: thread");

  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epoll_fd, events, 256, -1);
    if (n < 0 && errno != EINTR) Die("floor_server: epoll_wait");
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        OnAccept(listener);
      } else if (fd == done_fd) {
        uint64_t count;
        if (read(done_fd, &count, sizeof count) == sizeof count) Answer();
      } else if (conns[fd] != NULL) {
        OnReadable(conns[fd]);
      }
    }
    HandOver();
  }
}
