// Fuzzes every decoder of the Kafka REST front door with the same bytes: v2 produce bodies in
// both embedded formats, v3 records (single and streamed), base64 and media types. The
// property: no crash, no sanitizer report, and a decoded request always holds records.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "api/json_stream.h"
#include "api/kafka_rest/media_type.h"
#include "api/kafka_rest/produce_request.h"
#include "api/kafka_rest/v3_produce.h"
#include "base/base64.h"

using namespace pinpipe;                   // NOLINT(google-build-using-namespace)
using namespace pinpipe::api::kafka_rest;  // NOLINT(google-build-using-namespace)

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
