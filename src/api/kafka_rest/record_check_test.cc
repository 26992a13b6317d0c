// The 42203 record check: the DOM form must refuse exactly what the model's decoders refuse,
// with the same reason, for every table; and DecodeProduceV2 applies it after the whole body
// decoded (shape errors first), in both embedded formats.
#include "api/kafka_rest/record_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/kafka_rest/produce_request.h"

namespace pinpipe::api::kafka_rest {
namespace {

using ::testing::HasSubstr;

// Values that exercise every refusal rule and the tolerated forms around them.
const char* const kValues[] = {
    R"({"index":7528,"unique_id":"x","title":"t"})",
    R"({"ind":12,"timestamp":"2020-08-28 03:52:47","latitude":-89.9,"longitude":1})",
    R"({"title":"no key"})",
    R"({})",
    R"({"index":null})",
    R"({"ind":null,"index":3})",
    R"({"index":"12"})",
    R"({"index":" +12 "})",
    R"({"index":"1.0"})",
    R"({"index":"1.5"})",
    R"({"index":"abc"})",
    R"({"index":""})",
    R"({"index":"1e3"})",
    R"({"index":"inf"})",
    R"({"index":12.0})",
    R"({"index":12.5})",
    R"({"index":1e2})",
    R"({"index":1e300})",
    R"({"index":-9223372036854775808})",
    R"({"index":18446744073709551615})",
    R"({"index":true})",
    R"({"index":[1]})",
    R"({"index":{"a":1}})",
    R"({"index":5,"ind":5})",
    R"({"index":5,"ind":"5"})",
    R"({"index":5,"ind":6})",
    R"({"ind":6,"index":5})",
    R"({"index":5,"index":6})",
    R"({"index":5,"ind":null})",
    R"({"index":1,"age":"abc","latitude":{},"downloaded":[1]})",
    R"([1,2])",
    R"("text")",
    R"(42)",
    R"(true)",
};

TEST(RecordCheckTest, TheDomCheckRefusesWhatTheModelRefusesWithTheSameReason) {
  simdjson::dom::parser parser;
  for (model::Table table : {model::Table::kPin, model::Table::kGeo, model::Table::kUser}) {
    for (const char* value : kValues) {
      simdjson::dom::element doc;
      ASSERT_EQ(parser.parse(std::string_view(value)).get(doc), simdjson::SUCCESS) << value;
      std::optional<std::string> model_says = InvalidRecordReason(table, std::string_view(value));
      EXPECT_EQ(InvalidRecordReason(table, doc), model_says)
          << model::TableName(table) << " " << value;
    }
  }
  // The corpus covers both outcomes.
  EXPECT_EQ(InvalidRecordReason(model::Table::kPin, std::string_view(kValues[0])), std::nullopt);
  EXPECT_NE(InvalidRecordReason(model::Table::kPin, std::string_view(kValues[2])), std::nullopt);
}

ErrorReply Refusal(std::string_view body, EmbeddedFormat format = EmbeddedFormat::kJson) {
  auto r = DecodeProduceV2(body, format, false, model::Table::kGeo);
  if (!std::holds_alternative<ErrorReply>(r)) {
    ADD_FAILURE() << "expected a refusal of " << body;
    return {};
  }
  return std::get<ErrorReply>(r);
}

TEST(RecordCheckTest, DecodeProduceV2ValidatesEveryValueAfterTheShape) {
  auto ok = DecodeProduceV2(R"({"records":[{"value":{"ind":1}},{"value":{"index":"2"}}]})",
                            EmbeddedFormat::kJson, false, model::Table::kGeo);
  ASSERT_TRUE(std::holds_alternative<ProduceRequest>(ok));
  EXPECT_EQ(std::get<ProduceRequest>(ok).value(1), std::string_view(R"({"index":"2"})"));

  ErrorReply e = Refusal(R"({"records":[{"value":{"ind":1}},{"value":{"ind":"x"}}]})");
  EXPECT_EQ(e.http_status, 422);
  EXPECT_EQ(e.error_code, 42203);
  EXPECT_EQ(e.message,
            "records[1].value is not a valid geo record: key 'ind' is not an integer (it is a "
            "string)");
  EXPECT_EQ(Refusal(R"({"records":[{"value":null}]})").message,
            "records[0].value is not a valid geo record: null value");
  EXPECT_EQ(Refusal(R"({"records":[{"key":"k"}]})").message,
            "records[0].value is not a valid geo record: null value");
  // A shape error anywhere wins over a bad value earlier in the request.
  e = Refusal(R"({"records":[{"value":{"x":1}},{"value":{"ind":1},"color":"red"}]})");
  EXPECT_EQ(e.error_code, 422);
  EXPECT_THAT(e.message, HasSubstr("Unrecognized field: color"));
}

TEST(RecordCheckTest, BinaryValuesAreCheckedAsText) {
  // base64 of {"ind":7} and of [1]
  auto ok = DecodeProduceV2(R"({"records":[{"value":"eyJpbmQiOjd9"}]})", EmbeddedFormat::kBinary,
                            false, model::Table::kUser);
  EXPECT_TRUE(std::holds_alternative<ProduceRequest>(ok));
  ErrorReply e = Refusal(R"({"records":[{"value":"WzFd"}]})", EmbeddedFormat::kBinary);
  EXPECT_EQ(e.error_code, 42203);
  EXPECT_EQ(e.message,
            "records[0].value is not a valid geo record: not a JSON object (it is an array)");
}

}  // namespace
}  // namespace pinpipe::api::kafka_rest
