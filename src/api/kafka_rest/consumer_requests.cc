#include "api/kafka_rest/consumer_requests.h"

#include <charconv>
#include <limits>

#include <simdjson.h>

namespace pinpipe::api::kafka_rest {
namespace {

namespace dom = simdjson::dom;
using kafka_errors::InvalidConsumerConfig;
using kafka_errors::Unprocessable;

// Parses `body` as a JSON object into *out (valid until the next parse on this thread).
std::optional<ErrorReply> ParseObject(std::string_view body, dom::object* out) {
  thread_local dom::parser parser;
  dom::element root;
  if (auto err = parser.parse(body.data(), body.size()).get(root); err != simdjson::SUCCESS) {
    return kafka_errors::MalformedJson(std::string("Malformed JSON: ") +
                                       simdjson::error_message(err));
  }
  if (root.get_object().get(*out) != simdjson::SUCCESS) {
    return Unprocessable("The request body must be a JSON object");
  }
  return std::nullopt;
}

// A JSON integer, or a string holding one (Jackson coerces "512" to an Integer).
std::optional<int64_t> IntOf(dom::element v) {
  int64_t n;
  if (v.get_int64().get(n) == simdjson::SUCCESS) return n;
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return n;
}

// A JSON string, or the text of a scalar (Jackson coerces true to "true").
std::optional<std::string> StringOf(dom::element v) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  bool b;
  if (v.get_bool().get(b) == simdjson::SUCCESS) return b ? "true" : "false";
  int64_t n;
  if (v.get_int64().get(n) == simdjson::SUCCESS) return std::to_string(n);
  return std::nullopt;
}

std::optional<ErrorReply> DecodeTopicPartition(dom::element e, std::string_view where,
                                               bool with_offset, TopicPartitionOffset* out) {
  dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Unprocessable(std::string(where) + " must be a JSON object");
  }
  bool saw_topic = false, saw_partition = false, saw_offset = false;
  for (auto field : obj) {
    std::string_view k = field.key;
    if (k == "topic") {
      std::string_view t;
      if (field.value.get_string().get(t) != simdjson::SUCCESS || t.empty()) {
        return Unprocessable(std::string(where) + ".topic must be a non-empty string");
      }
      out->topic = std::string(t);
      saw_topic = true;
    } else if (k == "partition") {
      auto p = IntOf(field.value);
      if (!p || *p < 0 || *p > std::numeric_limits<int32_t>::max()) {
        return Unprocessable(std::string(where) + ".partition must be a non-negative integer");
      }
      out->partition = static_cast<int32_t>(*p);
      saw_partition = true;
    } else if (k == "offset" && with_offset) {
      auto o = IntOf(field.value);
      if (!o || *o < 0) {
        return Unprocessable(std::string(where) + ".offset must be a non-negative integer");
      }
      out->offset = *o;
      saw_offset = true;
    } else if (k == "metadata" && with_offset) {
      // Accepted for compatibility; the log stores no commit metadata.
    } else {
      return Unprocessable("Unrecognized field: " + std::string(k));
    }
  }
  if (!saw_topic || !saw_partition || (with_offset && !saw_offset)) {
    return Unprocessable(std::string(where) + " needs topic, partition" +
                         (with_offset ? " and offset" : ""));
  }
  return std::nullopt;
}

// Decodes the array member `member` of a body made of that one member.
std::optional<ErrorReply> DecodeList(std::string_view body, std::string_view member,
                                     bool with_offset, std::vector<TopicPartitionOffset>* out) {
  if (IsBlank(body)) return Unprocessable(std::string(member) + " may not be null");
  dom::object top;
  if (auto err = ParseObject(body, &top)) return err;
  bool saw = false;
  for (auto field : top) {
    std::string_view k = field.key;
    if (k != member) return Unprocessable("Unrecognized field: " + std::string(k));
    dom::array items;
    if (field.value.get_array().get(items) != simdjson::SUCCESS) {
      return Unprocessable(std::string(member) + " must be an array");
    }
    saw = true;
    size_t i = 0;
    for (dom::element e : items) {
      TopicPartitionOffset tpo;
      std::string where = std::string(member) + "[" + std::to_string(i++) + "]";
      if (auto err = DecodeTopicPartition(e, where, with_offset, &tpo)) return err;
      out->push_back(std::move(tpo));
    }
  }
  if (!saw) return Unprocessable(std::string(member) + " may not be null");
  return std::nullopt;
}

std::optional<ErrorReply> ApplyConfigField(std::string_view k, dom::element v, ConsumerConfig* c) {
  if (k == "name" || k == "id") {
    if (v.is_null()) return std::nullopt;
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) {
      return InvalidConsumerConfig(std::string(k) + " must be a string");
    }
    // Confluent: an explicit "id" overrides "name".
    if (k == "id" || !c->name) c->name = std::string(s);
    return std::nullopt;
  }
  if (v.is_null()) return std::nullopt;  // an explicit null means "the default"
  if (k == "format") {
    auto f = StringOf(v);
    if (f == "binary") {
      c->format = EmbeddedFormat::kBinary;
    } else if (f == "json") {
      c->format = EmbeddedFormat::kJson;
    } else if (f == "avro" || f == "jsonschema" || f == "protobuf") {
      return InvalidConsumerConfig("The " + *f +
                                   " format needs a Schema Registry, which pinpipe does not run; "
                                   "use \"binary\" or \"json\".");
    } else {
      return InvalidConsumerConfig("format must be \"binary\" or \"json\"");
    }
  } else if (k == "auto.offset.reset") {
    auto r = StringOf(v);
    if (r == "earliest") {
      c->reset_earliest = true;
    } else if (r == "latest") {
      c->reset_earliest = false;
    } else {
      return InvalidConsumerConfig("auto.offset.reset must be \"earliest\" or \"latest\"");
    }
  } else if (k == "auto.commit.enable") {
    auto a = StringOf(v);
    if (a == "true") {
      c->auto_commit = true;
    } else if (a == "false") {
      c->auto_commit = false;
    } else {
      return InvalidConsumerConfig("auto.commit.enable must be \"true\" or \"false\"");
    }
  } else if (k == "fetch.min.bytes") {
    auto n = IntOf(v);
    if (!n || *n < -1) return InvalidConsumerConfig("fetch.min.bytes must be an integer >= -1");
    c->fetch_min_bytes = *n;
  } else if (k == "consumer.request.timeout.ms") {
    auto n = IntOf(v);
    if (!n || *n < 0) {
      return InvalidConsumerConfig("consumer.request.timeout.ms must be an integer >= 0");
    }
    c->request_timeout_ms = *n;
  } else {
    return Unprocessable("Unrecognized field: " + std::string(k));
  }
  return std::nullopt;
}

}  // namespace

bool IsBlank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Decoded<ConsumerConfig> DecodeCreateConsumer(std::string_view body) {
  ConsumerConfig c;
  if (IsBlank(body)) return c;
  dom::object top;
  if (auto err = ParseObject(body, &top)) return *err;
  for (auto field : top) {
    if (auto err = ApplyConfigField(field.key, field.value, &c)) return *err;
  }
  return c;
}

Decoded<SubscriptionRequest> DecodeSubscription(std::string_view body) {
  if (IsBlank(body)) return Unprocessable("subscription may not be null");
  dom::object top;
  if (auto err = ParseObject(body, &top)) return *err;
  SubscriptionRequest s;
  bool saw_topics = false;
  for (auto field : top) {
    std::string_view k = field.key;
    if (k == "topics") {
      if (field.value.is_null()) continue;
      dom::array topics;
      if (field.value.get_array().get(topics) != simdjson::SUCCESS) {
        return Unprocessable("topics must be an array of strings");
      }
      for (dom::element t : topics) {
        std::string_view name;
        if (t.get_string().get(name) != simdjson::SUCCESS || name.empty()) {
          return Unprocessable("topics must be an array of non-empty strings");
        }
        s.topics.emplace_back(name);
      }
      saw_topics = true;
    } else if (k == "topic_pattern") {
      if (field.value.is_null()) continue;
      std::string_view p;
      if (field.value.get_string().get(p) != simdjson::SUCCESS) {
        return Unprocessable("topic_pattern must be a string");
      }
      s.pattern = std::string(p);
    } else {
      return Unprocessable("Unrecognized field: " + std::string(k));
    }
  }
  if (saw_topics && s.pattern) {
    return Unprocessable("Give either topics or topic_pattern, not both");
  }
  if (!saw_topics && !s.pattern) {
    return Unprocessable("A subscription needs topics or topic_pattern");
  }
  return s;
}

Decoded<std::vector<TopicPartition>> DecodePartitions(std::string_view body) {
  std::vector<TopicPartitionOffset> list;
  if (auto err = DecodeList(body, "partitions", /*with_offset=*/false, &list)) return *err;
  std::vector<TopicPartition> out;
  out.reserve(list.size());
  for (auto& t : list) out.push_back({std::move(t.topic), t.partition});
  return out;
}

Decoded<std::vector<TopicPartitionOffset>> DecodeOffsets(std::string_view body) {
  std::vector<TopicPartitionOffset> list;
  if (auto err = DecodeList(body, "offsets", /*with_offset=*/true, &list)) return *err;
  return list;
}

}  // namespace pinpipe::api::kafka_rest
