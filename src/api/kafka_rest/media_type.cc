#include "api/kafka_rest/media_type.h"

#include <cctype>
#include <cstdlib>
#include <string>

#include "http/message.h"

namespace pinpipe::api::kafka_rest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Media types and parameter names compare case-insensitively (RFC 9110 §8.3.1), in ASCII.
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && http::EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         http::EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

// "type/subtype; a=b" -> "type/subtype" (a view, case as sent).
std::string_view MediaTypeOnly(std::string_view value) {
  return Trim(value.substr(0, value.find(';')));
}

// The q parameter of one media range, 1.0 if absent.
double QualityOf(std::string_view range) {
  size_t pos = range.find(';');
  while (pos != std::string_view::npos) {
    std::string_view rest = range.substr(pos + 1);
    size_t next = rest.find(';');
    std::string_view param = Trim(rest.substr(0, next));
    if (StartsWithIgnoreCase(param, "q=")) return std::atof(std::string(param.substr(2)).c_str());
    pos = next == std::string_view::npos ? next : pos + 1 + next;
  }
  return 1.0;
}

std::optional<EmbeddedFormat> FormatOfVendorType(std::string_view type) {
  static constexpr std::string_view kPrefix = "application/vnd.kafka.";
  static constexpr std::string_view kSuffix = ".v2+json";
  if (type.size() <= kPrefix.size() + kSuffix.size() || !StartsWithIgnoreCase(type, kPrefix) ||
      !EndsWithIgnoreCase(type, kSuffix)) {
    return std::nullopt;
  }
  std::string_view f = type.substr(kPrefix.size(), type.size() - kPrefix.size() - kSuffix.size());
  for (EmbeddedFormat format :
       {EmbeddedFormat::kBinary, EmbeddedFormat::kJson, EmbeddedFormat::kAvro,
        EmbeddedFormat::kJsonSchema, EmbeddedFormat::kProtobuf}) {
    if (http::EqualsIgnoreCase(f, EmbeddedFormatName(format))) return format;
  }
  return std::nullopt;
}

}  // namespace

std::string_view EmbeddedFormatName(EmbeddedFormat f) {
  switch (f) {
    case EmbeddedFormat::kBinary: return "binary";
    case EmbeddedFormat::kJson: return "json";
    case EmbeddedFormat::kAvro: return "avro";
    case EmbeddedFormat::kJsonSchema: return "jsonschema";
    case EmbeddedFormat::kProtobuf: return "protobuf";
  }
  return "binary";
}

std::optional<EmbeddedFormat> ParseProduceContentType(std::string_view content_type) {
  return FormatOfVendorType(MediaTypeOnly(content_type));
}

std::optional<std::string_view> NegotiateV2Response(std::string_view accept) {
  if (Trim(accept).empty()) return kV2Json;
  double best_q = 0;
  std::optional<std::string_view> best;
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string_view range =
        accept.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    std::string_view type = MediaTypeOnly(range);
    double q = QualityOf(range);
    std::optional<std::string_view> match;
    if (type == "*/*" || http::EqualsIgnoreCase(type, "application/*") ||
        http::EqualsIgnoreCase(type, kV2Json)) {
      match = kV2Json;
    } else if (http::EqualsIgnoreCase(type, "application/json")) {
      match = "application/json";
    }
    if (match && q > best_q) {
      best_q = q;
      best = match;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return best;
}

std::optional<EmbeddedFormat> ParseRecordsAccept(std::string_view accept) {
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string_view range =
        accept.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (auto f = FormatOfVendorType(MediaTypeOnly(range)); f && QualityOf(range) > 0) return f;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return std::nullopt;
}

}  // namespace pinpipe::api::kafka_rest
