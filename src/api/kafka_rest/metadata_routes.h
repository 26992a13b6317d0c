// The read-only Kafka REST v2 metadata routes:
//   GET /topics                                  ["a","b"]
//   GET /topics/{topic}                          {"name","configs","partitions":[...]}
//   GET /topics/{topic}/partitions               [{"partition","leader","replicas":[...]}]
//   GET /topics/{topic}/partitions/{partition}   one partition object; 40401 / 40402
//   GET /topics/{topic}/partitions/{p}/offsets   {"beginning_offset","end_offset"}
//   GET /brokers                                 {"brokers":[0]}
// pinpipe is one broker: every partition's leader and only in-sync replica is broker 0.
//
// Thread-safety: stateless; the log is thread-safe.
#pragma once

#include "api/kafka_rest/common.h"
#include "http/router.h"
#include "log/topic_log.h"

namespace pinpipe::api::kafka_rest {

// `log` must outlive the server the routes are registered on.
Status RegisterMetadataRoutes(http::Router& router, log::TopicLog* log,
                              const KafkaRestOptions& options);

}  // namespace pinpipe::api::kafka_rest
