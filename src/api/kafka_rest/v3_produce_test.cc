#include "api/kafka_rest/v3_produce.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/json_stream.h"
#include "base/status_matchers.h"

namespace pinpipe::api::kafka_rest {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

V3Record Ok(std::string_view json) {
  auto r = DecodeV3Record(json);
  if (auto* e = std::get_if<ErrorReply>(&r)) {
    ADD_FAILURE() << e->error_code << ": " << e->message;
    return {};
  }
  return std::get<V3Record>(std::move(r));
}

ErrorReply Err(std::string_view json) {
  auto r = DecodeV3Record(json);
  if (!std::holds_alternative<ErrorReply>(r)) {
    ADD_FAILURE() << "expected an error for " << json;
    return {};
  }
  return std::get<ErrorReply>(r);
}

TEST(V3ProduceTest, DecodesAllDataTypes) {
  V3Record r = Ok(R"({"partition_id": 1, "headers": [{"name": "h", "value": "aGk="}],
                      "key": {"type": "STRING", "data": "k"},
                      "value": {"type": "JSON", "data": {"index": 1, "t": [1, 2]}},
                      "timestamp": "2023-03-09T14:07:23.592Z"})");
  EXPECT_EQ(r.partition_id, 1);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "h");
  EXPECT_EQ(r.headers[0].second, "hi");
  ASSERT_TRUE(r.key && r.value);
  EXPECT_EQ(r.key->bytes, "k");
  EXPECT_EQ(r.value->bytes, R"({"index":1,"t":[1,2]})");
  EXPECT_EQ(r.timestamp_ms, 1678370843592);
  V3Record b = Ok(R"({"value": {"type": "BINARY", "data": "Zm9v"}})");
  EXPECT_EQ(b.value->bytes, "foo");
  EXPECT_FALSE(b.key.has_value());
}

TEST(V3ProduceTest, RefusesBadRecords) {
  EXPECT_EQ(Err("{").http_status, 400);
  EXPECT_EQ(Err("[]").http_status, 422);
  EXPECT_EQ(Err(R"({"valu": 1})").message, "Unrecognized field: valu");
  EXPECT_THAT(Err(R"({"value": {"type": "AVRO", "data": 1}})").message, HasSubstr("Schema Registry"));
  EXPECT_THAT(Err(R"({"value": {"type": "BINARY", "data": "!!"}})").message, HasSubstr("base64"));
  EXPECT_THAT(Err(R"({"value": {"type": "JSON"}})").message, HasSubstr("data is missing"));
  EXPECT_THAT(Err(R"({"partition_id": -2})").message, HasSubstr("partition_id"));
  EXPECT_THAT(Err(R"({"timestamp": "yesterday"})").message, HasSubstr("timestamp"));
}

TEST(V3ProduceTest, RendersReportsInConfluentsShape) {
  V3Delivery d{"pinpipe", "t", 0, 5, 1678370843592, std::nullopt, std::make_pair("JSON", 19)};
  EXPECT_EQ(RenderV3Delivery(d),
            R"({"error_code":200,"cluster_id":"pinpipe","topic_name":"t","partition_id":0,"offset":5,"timestamp":"2023-03-09T14:07:23.592Z","value":{"type":"JSON","size":19}})");
  d.timestamp_ms = 1678370843000;
  d.key = std::make_pair("STRING", 1);
  EXPECT_THAT(RenderV3Delivery(d), HasSubstr(R"("timestamp":"2023-03-09T14:07:23Z","key":{"type":"STRING","size":1})"));
  EXPECT_EQ(RenderV3Failure(kafka_errors::TopicNotFound()),
            R"({"error_code":404,"message":"Topic not found."})");
}

TEST(JsonStreamSplitterTest, SplitsConcatenatedDocumentsAcrossChunks) {
  JsonStreamSplitter s(1 << 20);
  std::vector<std::string> docs;
  std::string stream = R"({"a":"}{"} {"b":[1,{"c":"\"]"}]}
{"d":1}[2])";
  for (char c : stream) ASSERT_THAT(s.Feed(std::string_view(&c, 1), &docs), IsOk());
  EXPECT_THAT(docs, ElementsAre(R"({"a":"}{"})", R"({"b":[1,{"c":"\"]"}]})", R"({"d":1})", "[2]"));
  EXPECT_THAT(s.Finish(), IsOk());
}

TEST(JsonStreamSplitterTest, ReportsGarbageTruncationAndOversize) {
  std::vector<std::string> docs;
  JsonStreamSplitter garbage(100);
  EXPECT_THAT(garbage.Feed("{} x", &docs), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(docs.size(), 1u);
  EXPECT_THAT(garbage.Feed("{}", &docs), StatusIs(StatusCode::kInvalidArgument));
  JsonStreamSplitter truncated(100);
  EXPECT_THAT(truncated.Feed("{\"a\":", &docs), IsOk());
  EXPECT_THAT(truncated.Finish(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("ends inside")));
  JsonStreamSplitter small(8);
  EXPECT_THAT(small.Feed("{\"aaaaaaaaaa\":1}", &docs), StatusIs(StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace pinpipe::api::kafka_rest
