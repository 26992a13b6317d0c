// Kafka's default partitioner for keyed records, so the embedded log and a Kafka cluster
// put a key in the same partition.
#pragma once

#include <cstdint>
#include <string_view>

namespace pinpipe::log {

// Kafka's Utils.murmur2 (seed 0x9747b28c), as a signed 32-bit value like Java's.
int32_t Murmur2(std::string_view data);

// (murmur2(key) & 0x7fffffff) % partitions. partitions must be > 0.
int32_t PartitionForKey(std::string_view key, int32_t partitions);

}  // namespace pinpipe::log
