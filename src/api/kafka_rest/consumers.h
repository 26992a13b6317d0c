// ConsumerManager: the Kafka REST v2 consumer-instance API (reference/wire-apis.md §1.2) over
// a TopicLog. docs/http_api.md, "Consumers (v2)", states every endpoint and each deliberate
// difference from Confluent; the essentials:
//
// - Instances live in this process only (as in Confluent): a restart forgets them, and
//   clients create new ones. What survives is the group's committed offsets (TopicLog).
// - No group rebalancing: an instance subscribed to topics reads every partition of them.
//   Several instances of one group therefore each see every record; they share only the
//   group's committed offsets (pinpipe is one process; see the doc).
// - Start position of a partition: the group's committed offset if any (and still stored),
//   else auto.offset.reset: "earliest" = the start offset, "latest" = the end offset when the
//   instance subscribed/was assigned. A partition that appears later (a topic created after
//   the subscription, a pattern that starts matching) starts at its start offset, since all of
//   its records are newer than the subscription.
// - Auto commit (auto.commit.enable, default "true"): the positions reached by earlier
//   `GET .../records` calls are committed durably (TopicLog::CommitOffsets under the group
//   name) at the start of the next records call, and when the instance is unsubscribed,
//   reassigned, deleted or expires. So a record is committed once the client asked for more
//   (at-least-once).
// - Idle expiry: an instance that served no request for consumer_instance_timeout_ms is
//   deleted (with its auto commit). There is no reaper thread: ExpireIdle() runs at the start
//   of every consumer request; an owner may also call it periodically.
// - GET .../records long-polls (sleeping on the Clock in small steps) for up to
//   min(timeout, consumer.request.timeout.ms), as Confluent does.
//
// Lifetime: `log` and `clock` are borrowed and must outlive the manager; the routes Register
// adds capture `this`, so the manager must outlive the http::Server they are served by.
//
// Thread-safety: every public method and every handler may run concurrently. mu_ guards the
// instance map and each instance's lease count and idle time; each instance has its own mutex,
// held for the whole of a request on that instance, so a long poll on one instance blocks
// only later requests to the same instance (Kafka consumers are single-threaded too).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>

#include "api/kafka_rest/common.h"
#include "base/clock.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "http/router.h"
#include "log/topic_log.h"

namespace pinpipe::api::kafka_rest {

class ConsumerManager {
 public:
  ConsumerManager(log::TopicLog* log, Clock* clock, KafkaRestOptions options);
  ~ConsumerManager();
  ConsumerManager(const ConsumerManager&) = delete;
  ConsumerManager& operator=(const ConsumerManager&) = delete;

  // Adds the consumer routes (POST /consumers/{group}, .../instances/{instance}/...).
  // AlreadyExists if one of them is taken.
  Status Register(http::Router& router);

  // Deletes instances idle for longer than consumer_instance_timeout_ms (an instance with a
  // request in progress is never idle), auto-committing their positions first.
  void ExpireIdle();

  // For shutdown: long polls in progress return what they have at their next step, and every
  // instance is auto-committed and deleted. Later requests find no instance (40403). The
  // first commit failure is returned; the others are still attempted.
  Status CloseAll();

  size_t instance_count() const;

 private:
  struct Instance;
  class Lease;

  // Route handlers.
  http::Response Create(const http::Request& req);
  http::Response Delete(const http::Request& req);
  http::Response Subscribe(const http::Request& req);
  http::Response GetSubscription(const http::Request& req);
  http::Response Unsubscribe(const http::Request& req);
  http::Response Assign(const http::Request& req);
  http::Response GetAssignment(const http::Request& req);
  http::Response Seek(const http::Request& req);
  http::Response SeekToEdge(const http::Request& req, bool beginning);
  http::Response Commit(const http::Request& req);
  http::Response GetCommitted(const http::Request& req);
  http::Response Records(const http::Request& req);

  // Runs fn(Instance&) with the named instance locked and leased; 40403 if there is none.
  template <typename Fn>
  http::Response WithInstance(const http::Request& req, Fn&& fn);

  // Detaches an instance from the map (if still there) and closes it: auto commit, then
  // every later request on it answers 40403. The caller holds inst.state.mu().
  Status CloseInstance(Instance& inst) LOCKS_EXCLUDED(mu_);

  // Constant after construction.
  log::TopicLog* const log_;
  Clock* const clock_;
  const KafkaRestOptions options_;

  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  // (group, instance name) → instance. shared_ptr: a request in progress keeps a deleted
  // instance alive until it returns.
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Instance>> instances_
      GUARDED_BY(mu_);
  std::mt19937_64 rng_ GUARDED_BY(mu_);
};

}  // namespace pinpipe::api::kafka_rest
