#include "api/kafka_rest/produce_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/kafka_rest/media_type.h"

namespace pinpipe::api::kafka_rest {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

ProduceRequest Ok(std::string_view body, EmbeddedFormat f = EmbeddedFormat::kJson,
                  bool to_partition = false) {
  auto r = DecodeProduceV2(body, f, to_partition);
  if (auto* e = std::get_if<ErrorReply>(&r)) {
    ADD_FAILURE() << "unexpected error " << e->error_code << ": " << e->message;
    return {};
  }
  return std::get<ProduceRequest>(std::move(r));
}

ErrorReply Err(std::string_view body, EmbeddedFormat f = EmbeddedFormat::kJson,
               bool to_partition = false) {
  auto r = DecodeProduceV2(body, f, to_partition);
  if (!std::holds_alternative<ErrorReply>(r)) {
    ADD_FAILURE() << "expected an error for " << body;
    return {};
  }
  return std::get<ErrorReply>(r);
}

TEST(ProduceRequestTest, TheOriginalEmulatorsBody) {
  // What user_posting_emulation.py sends: json.dumps with its default separators.
  ProduceRequest req = Ok(
      R"({"records": [{"value": {"index": 7528, "unique_id": "fbe53c66", "title": "No Title Data Available", "latitude": -89.9787, "downloaded": 0}}]})");
  ASSERT_EQ(req.records.size(), 1u);
  EXPECT_EQ(req.key(0), std::nullopt);
  EXPECT_EQ(req.records[0].partition, std::nullopt);
  EXPECT_THAT(
      req.value(0),
      Optional(std::string_view(
          R"({"index":7528,"unique_id":"fbe53c66","title":"No Title Data Available","latitude":-89.9787,"downloaded":0})")));
}

TEST(ProduceRequestTest, JsonKeysPartitionsAndNulls) {
  ProduceRequest req = Ok(
      R"({"value_schema_id": null, "records": [{"key": "k1", "value": [1, 2], "partition": 3},
         {"value": null}, {"key": {"a": "\u00e9"}, "value": "text"}]})");
  ASSERT_EQ(req.records.size(), 3u);
  EXPECT_THAT(req.key(0), Optional(std::string_view("\"k1\"")));
  EXPECT_THAT(req.value(0), Optional(std::string_view("[1,2]")));
  EXPECT_THAT(req.records[0].partition, Optional(3));
  EXPECT_EQ(req.value(1), std::nullopt);
  EXPECT_THAT(req.key(2), Optional(std::string_view("{\"a\":\"\xc3\xa9\"}")));
  EXPECT_THAT(req.value(2), Optional(std::string_view("\"text\"")));
}

TEST(ProduceRequestTest, ValuesAreStoredAsParsedWhateverTheirText) {
  // Keys and values are stored as their parse, minified: escapes and numbers are printed
  // again. Members come in any order, names may be escaped, and whitespace may be anywhere.
  ProduceRequest req =
      Ok("{ \"key_schema\" : null ,\n \"records\" :[ {\"partition\": 1, \"v\\u0061lue\": "
         "{\"a\": \"\\/\", \"b\": 1.50}, \"key\": [ 1E2 ]},\r\n"
         "{ \"value\" :\t{\"c\": [true, null, -0.5], \"d\": \"tab\\t\"} , \"key\":\"k\" }, "
         "{\"value\": 12345678901234567890}, {\"key\": null, \"value\": \"\\u00e9 \"}],"
         " \"value_schema_id\": null }");
  ASSERT_EQ(req.records.size(), 4u);
  EXPECT_THAT(req.value(0), Optional(std::string_view(R"({"a":"/","b":1.5})")));
  EXPECT_THAT(req.key(0), Optional(std::string_view("[100.0]")));
  EXPECT_THAT(req.records[0].partition, Optional(1));
  EXPECT_THAT(req.value(1), Optional(std::string_view(R"({"c":[true,null,-0.5],"d":"tab\t"})")));
  EXPECT_THAT(req.key(1), Optional(std::string_view(R"("k")")));
  EXPECT_THAT(req.value(2), Optional(std::string_view("12345678901234567890")));
  EXPECT_EQ(req.key(3), std::nullopt);
  EXPECT_THAT(req.value(3), Optional(std::string_view("\"\xc3\xa9 \"")));
}

TEST(ProduceRequestTest, BinaryFormatDecodesBase64) {
  ProduceRequest req = Ok(R"({"records":[{"key":"a2V5","value":"Zm9vYmFy"},{"value":""}]})",
                          EmbeddedFormat::kBinary);
  ASSERT_EQ(req.records.size(), 2u);
  EXPECT_THAT(req.key(0), Optional(std::string_view("key")));
  EXPECT_THAT(req.value(0), Optional(std::string_view("foobar")));
  EXPECT_THAT(req.value(1), Optional(std::string_view("")));
  ErrorReply e = Err(R"({"records":[{"value":"not base64!"}]})", EmbeddedFormat::kBinary);
  EXPECT_EQ(e.http_status, 422);
  EXPECT_THAT(e.message, HasSubstr("records[0].value"));
  e = Err(R"({"records":[{"value":{"a":1}}]})", EmbeddedFormat::kBinary);
  EXPECT_THAT(e.message, HasSubstr("base64 string"));
}

TEST(ProduceRequestTest, ConfluentErrorCodes) {
  ErrorReply e = Err("");
  EXPECT_EQ(e.http_status, 422);
  EXPECT_EQ(e.error_code, 42206);
  e = Err("{\"records\": [");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.error_code, 400);
  EXPECT_THAT(e.message, HasSubstr("Malformed JSON"));
  e = Err(R"({"records": []})");
  EXPECT_EQ(e.error_code, 422);
  EXPECT_EQ(e.message, "records may not be empty");
  EXPECT_EQ(Err("{}").message, "records may not be empty");
  EXPECT_EQ(Err(R"({"records": [{"valu": 1}]})").message, "Unrecognized field: valu");
  EXPECT_EQ(Err(R"({"record": []})").message, "Unrecognized field: record");
  EXPECT_EQ(Err(R"([1])").error_code, 422);
  EXPECT_EQ(Err(R"({"records": {"value": 1}})").message, "records must be an array");
  EXPECT_EQ(Err(R"({"records": [5]})").message, "records[0] must be a JSON object");
  EXPECT_THAT(Err(R"({"records": [{"value": 1, "partition": -1}]})").message,
              HasSubstr("partition must be a non-negative integer"));
  EXPECT_THAT(Err(R"({"records": [{"value": 1, "partition": "0"}]})").message,
              HasSubstr("partition"));
  EXPECT_EQ(
      Err(R"({"records": [{"value": 1, "partition": 0}]})", EmbeddedFormat::kJson, true).message,
      "Unrecognized field: partition");
  e = Err(R"({"records": [{"value": 1}]})", EmbeddedFormat::kAvro);
  EXPECT_EQ(e.error_code, 42202);
  EXPECT_EQ(Err(R"({"records": [{"value": tru}]})").http_status, 400);
}

TEST(MediaTypeTest, ProduceContentTypes) {
  EXPECT_EQ(ParseProduceContentType("application/vnd.kafka.json.v2+json"), EmbeddedFormat::kJson);
  EXPECT_EQ(ParseProduceContentType("Application/VND.kafka.binary.v2+json; charset=utf-8"),
            EmbeddedFormat::kBinary);
  EXPECT_EQ(ParseProduceContentType("application/vnd.kafka.avro.v2+json"), EmbeddedFormat::kAvro);
  EXPECT_EQ(ParseProduceContentType("application/json"), std::nullopt);
  EXPECT_EQ(ParseProduceContentType("application/vnd.kafka.v2+json"), std::nullopt);
  EXPECT_EQ(ParseProduceContentType("application/vnd.kafka.json.v1+json"), std::nullopt);
  EXPECT_EQ(ParseProduceContentType(""), std::nullopt);
  EXPECT_EQ(ParseProduceContentType("  APPLICATION/VND.KAFKA.JSONSCHEMA.V2+JSON  "),
            EmbeddedFormat::kJsonSchema);
  EXPECT_EQ(ParseProduceContentType("application/vnd.kafka.jsonx.v2+json"), std::nullopt);
  EXPECT_EQ(ParseProduceContentType("application/vnd.kafka..v2+json"), std::nullopt);
}

TEST(MediaTypeTest, AcceptNegotiation) {
  EXPECT_EQ(NegotiateV2Response(""), kV2Json);
  EXPECT_EQ(NegotiateV2Response("*/*"), kV2Json);
  EXPECT_EQ(NegotiateV2Response("application/vnd.kafka.v2+json"), kV2Json);
  EXPECT_EQ(NegotiateV2Response("application/json"), "application/json");
  EXPECT_EQ(NegotiateV2Response("text/html, application/json;q=0.5"), "application/json");
  EXPECT_EQ(NegotiateV2Response("application/json;q=0.5, application/vnd.kafka.v2+json"), kV2Json);
  EXPECT_EQ(NegotiateV2Response("text/html"), std::nullopt);
  EXPECT_EQ(NegotiateV2Response("application/json;q=0"), std::nullopt);
  EXPECT_EQ(NegotiateV2Response("Application/JSON; Q=0"), std::nullopt);
  EXPECT_EQ(NegotiateV2Response("text/html, Application/Vnd.Kafka.V2+Json"), kV2Json);
  EXPECT_EQ(NegotiateV2Response("APPLICATION/*;q=0.1"), kV2Json);
  EXPECT_EQ(ParseRecordsAccept("application/vnd.kafka.json.v2+json"), EmbeddedFormat::kJson);
  EXPECT_EQ(ParseRecordsAccept("application/json"), std::nullopt);
  EXPECT_EQ(ParseRecordsAccept("text/html, Application/Vnd.Kafka.Binary.V2+Json"),
            EmbeddedFormat::kBinary);
}

TEST(ErrorReplyTest, RendersConfluentsEnvelope) {
  EXPECT_EQ(RenderKafkaError(kafka_errors::TopicNotFound()),
            R"({"error_code":40401,"message":"Topic not found."})");
  EXPECT_EQ(RenderKafkaError(kafka_errors::UnsupportedMediaType()),
            R"({"error_code":415,"message":"HTTP 415 Unsupported Media Type"})");
  EXPECT_FALSE(kafka_errors::NotAcceptable().has_body);
  EXPECT_EQ(KafkaErrorFromStatus(UnavailableError("x")).error_code, 50003);
  EXPECT_EQ(KafkaErrorFromStatus(IOError("disk")).error_code, 50002);
  EXPECT_EQ(KafkaErrorFromStatus(ResourceExhaustedError("big")).http_status, 413);
}

}  // namespace
}  // namespace pinpipe::api::kafka_rest
