// Fuzzes every decoder of the Kafka REST front door with the same bytes: v2 produce bodies in
// both embedded formats, v3 records (single and streamed), base64 and media types. The
// property: no crash, no sanitizer report, and a decoded request always holds records. In the
// json format every key and value is stored as its parse's minified text (the last "key" and
// "value" of a record win).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <variant>

#include <simdjson.h>

#include "api/json_minify.h"
#include "api/json_stream.h"
#include "api/kafka_rest/media_type.h"
#include "api/kafka_rest/produce_request.h"
#include "api/kafka_rest/v3_produce.h"
#include "base/base64.h"

using namespace pinpipe;                   // NOLINT(google-build-using-namespace)
using namespace pinpipe::api::kafka_rest;  // NOLINT(google-build-using-namespace)

namespace {

namespace dom = simdjson::dom;

// The stored bytes are the parse, minified; and pinpipe's minifier writes what simdjson's own
// writes.
bool SameAsParsed(const std::optional<std::string_view>& stored, dom::element parsed) {
  if (parsed.is_null()) return !stored.has_value();
  const std::string minified = api::Minified(parsed);
  return stored.has_value() && *stored == minified && minified == simdjson::minify(parsed);
}

// Walks the body as DecodeProduceV2 does (every "records" member in order, the last "key" and
// "value" of a record win) and checks each stored key and value against the parse.
void CheckStoredAsParsed(std::string_view body, const ProduceRequest& req) {
  static dom::parser parser;
  dom::element root;
  dom::object top;
  if (parser.parse(body.data(), body.size()).get(root) || root.get_object().get(top)) {
    std::abort();  // decoded, so it parses
  }
  size_t i = 0;
  for (dom::key_value_pair field : top) {
    dom::array records;
    if (field.key != "records" || field.value.get_array().get(records)) continue;
    for (dom::element rec : records) {
      dom::element key, value;
      bool has_key = false, has_value = false;
      dom::object obj;
      if (rec.get_object().get(obj)) std::abort();
      for (dom::key_value_pair m : obj) {
        if (m.key == "key") {
          key = m.value;
          has_key = true;
        } else if (m.key == "value") {
          value = m.value;
          has_value = true;
        }
      }
      if (i >= req.records.size()) std::abort();
      if (has_key ? !SameAsParsed(req.key(i), key) : req.key(i).has_value()) std::abort();
      if (has_value ? !SameAsParsed(req.value(i), value) : req.value(i).has_value()) std::abort();
      ++i;
    }
  }
  if (i != req.records.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (bool to_partition : {false, true}) {
    for (EmbeddedFormat f : {EmbeddedFormat::kJson, EmbeddedFormat::kBinary}) {
      auto r = DecodeProduceV2(in, f, to_partition);
      if (auto* req = std::get_if<ProduceRequest>(&r); req != nullptr) {
        if (req->records.empty()) std::abort();  // a decoded request is never empty
        for (const ProduceRecord& rec : req->records) {
          for (const auto& span : {rec.key, rec.value}) {
            // Every key and value lies inside the request's buffer.
            if (span && span->offset + span->size > req->data.size()) std::abort();
          }
        }
        if (f == EmbeddedFormat::kJson) CheckStoredAsParsed(in, *req);
      }
    }
  }
  (void)DecodeV3Record(in);
  api::JsonStreamSplitter splitter(4096);
  std::vector<std::string> docs;
  splitter.Feed(in, &docs).IgnoreError();
  for (const auto& doc : docs) (void)DecodeV3Record(doc);
  splitter.Finish().IgnoreError();
  (void)Base64Decode(in);
  (void)ParseProduceContentType(in);
  (void)NegotiateV2Response(in);
  (void)ParseRecordsAccept(in);
  return 0;
}
