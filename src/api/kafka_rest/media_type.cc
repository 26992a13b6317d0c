#include "api/kafka_rest/media_type.h"

#include <cctype>
#include <string>

namespace pinpipe::api::kafka_rest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "type/subtype; a=b" -> lowercased "type/subtype".
std::string MediaTypeOnly(std::string_view value) {
  return Lower(Trim(value.substr(0, value.find(';'))));
}

// The q parameter of one media range, 1.0 if absent.
double QualityOf(std::string_view range) {
  size_t pos = range.find(';');
  while (pos != std::string_view::npos) {
    std::string_view rest = range.substr(pos + 1);
    size_t next = rest.find(';');
    std::string param = Lower(Trim(rest.substr(0, next)));
    if (param.rfind("q=", 0) == 0) return std::atof(param.c_str() + 2);
    pos = next == std::string_view::npos ? next : pos + 1 + next;
  }
  return 1.0;
}

std::optional<EmbeddedFormat> FormatOfVendorType(const std::string& type) {
  static constexpr std::string_view kPrefix = "application/vnd.kafka.";
  static constexpr std::string_view kSuffix = ".v2+json";
  if (type.size() <= kPrefix.size() + kSuffix.size() || type.rfind(kPrefix, 0) != 0 ||
      type.compare(type.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
    return std::nullopt;
  }
  std::string_view f(type.data() + kPrefix.size(), type.size() - kPrefix.size() - kSuffix.size());
  if (f == "binary") return EmbeddedFormat::kBinary;
  if (f == "json") return EmbeddedFormat::kJson;
  if (f == "avro") return EmbeddedFormat::kAvro;
  if (f == "jsonschema") return EmbeddedFormat::kJsonSchema;
  if (f == "protobuf") return EmbeddedFormat::kProtobuf;
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
    std::string type = MediaTypeOnly(range);
    double q = QualityOf(range);
    std::optional<std::string_view> match;
    if (type == "*/*" || type == "application/*" || type == kV2Json) {
      match = kV2Json;
    } else if (type == "application/json") {
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
