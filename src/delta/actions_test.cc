#include "delta/actions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"

namespace pinpipe::delta {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;

TEST(ActionsTest, SerializesEachActionOnOneLineInProtocolForm) {
  EXPECT_EQ(SerializeAction(Protocol{1, 2}),
            R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})");
  Metadata md;
  md.id = "af23c9d7-fff1-4a5a-a2c8-55c59bd782aa";
  md.schema_string = R"({"type":"struct","fields":[]})";
  md.created_time = 1512909768000;
  EXPECT_EQ(SerializeAction(md),
            R"({"metaData":{"id":"af23c9d7-fff1-4a5a-a2c8-55c59bd782aa","format":{"provider":"parquet","options":{}},)"
            R"("schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":[],"configuration":{},)"
            R"("createdTime":1512909768000}})");
  AddFile add{"part-1.parquet", {}, 841454, 1512909768000, true, R"({"numRecords":1})"};
  EXPECT_EQ(SerializeAction(add),
            R"({"add":{"path":"part-1.parquet","partitionValues":{},"size":841454,)"
            R"("modificationTime":1512909768000,"dataChange":true,"stats":"{\"numRecords\":1}"}})");
  EXPECT_EQ(SerializeAction(RemoveFile{"part-1.parquet", 1515488792485, true, 841454}),
            R"({"remove":{"path":"part-1.parquet","deletionTimestamp":1515488792485,"dataChange":true,)"
            R"("extendedFileMetadata":true,"partitionValues":{},"size":841454}})");
  EXPECT_EQ(SerializeAction(RemoveFile{"p", 5, true, std::nullopt}),
            R"({"remove":{"path":"p","deletionTimestamp":5,"dataChange":true}})");
  EXPECT_EQ(SerializeAction(Txn{"0a1b.pin/0", 364475, 1515491537026}),
            R"({"txn":{"appId":"0a1b.pin/0","version":364475,"lastUpdated":1515491537026}})");
  CommitInfo info{1515491537026, "WRITE", {{"mode", "Append"}, {"partitionBy", "[]"}}, 3, true, "pinpipe"};
  EXPECT_EQ(SerializeAction(info),
            R"({"commitInfo":{"timestamp":1515491537026,"operation":"WRITE",)"
            R"("operationParameters":{"mode":"Append","partitionBy":"[]"},"readVersion":3,)"
            R"("isBlindAppend":true,"engineInfo":"pinpipe"}})");
  EXPECT_EQ(SerializeActions({Protocol{1, 2}, Txn{"a", 1, std::nullopt}}),
            "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n"
            "{\"txn\":{\"appId\":\"a\",\"version\":1}}\n");
}

TEST(ActionsTest, EveryActionRoundTrips) {
  Metadata md;
  md.id = "id";
  md.name = "n";
  md.schema_string = "{}";
  md.configuration = {{"delta.appendOnly", "false"}, {"k", "v"}};
  md.format_options = {{"o", "1"}};
  md.partition_columns = {"p"};
  md.created_time = 7;
  std::vector<Action> actions = {
      Protocol{1, 2},
      md,
      AddFile{"a b.parquet", {{"p", "x"}}, 10, 20, false, std::nullopt},
      AddFile{"c.parquet", {}, 1, 2, true, R"({"numRecords":3,"minValues":{"s":"q\"uote"}})"},
      RemoveFile{"d.parquet", 30, true, 40},
      Txn{"app", -1, std::nullopt},
      CommitInfo{1, "DELETE", {}, std::nullopt, false, "pinpipe"},
  };
  auto parsed = ParseActions(SerializeActions(actions));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, actions);
}

TEST(ActionsTest, ReadsWhatOtherWritersWrite) {
  // Spark-style lines: unknown fields, nulls, tags, non-string operation parameters.
  auto add = ParseAction(
      R"({"add":{"path":"x.parquet","partitionValues":{},"size":5,"modificationTime":6,)"
      R"("dataChange":true,"stats":null,"tags":{"INSERTION_TIME":"1"},"baseRowId":4071}})");
  ASSERT_THAT(add, IsOk());
  ASSERT_TRUE(add->has_value());
  EXPECT_EQ(std::get<AddFile>(**add), (AddFile{"x.parquet", {}, 5, 6, true, std::nullopt}));

  auto info = ParseAction(
      R"({"commitInfo":{"timestamp":9,"operation":"STREAMING UPDATE",)"
      R"("operationParameters":{"epochId":3,"outputMode":"Append"},"isBlindAppend":true}})");
  ASSERT_THAT(info, IsOk());
  const auto& ci = std::get<CommitInfo>(**info);
  EXPECT_EQ(ci.operation_parameters,
            (StringMap{{"epochId", "3"}, {"outputMode", "Append"}}));

  // A checkpoint row as DuckDB's to_json gives it: the other action columns are null.
  auto row = ParseAction(R"({"txn":null,"add":null,"remove":null,"metaData":null,)"
                         R"("protocol":{"minReaderVersion":1,"minWriterVersion":2}})");
  ASSERT_THAT(row, IsOk());
  EXPECT_EQ(std::get<Protocol>(**row), (Protocol{1, 2}));

  EXPECT_THAT(ParseAction(R"({"cdc":{"path":"c","size":1}})"), IsOkAndHolds(std::nullopt));
  EXPECT_THAT(ParseAction("   "), IsOkAndHolds(std::nullopt));
}

TEST(ActionsTest, MalformedLinesAreCorruption) {
  EXPECT_THAT(ParseAction("{\"add\":"), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(ParseAction("[1]"), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(ParseAction(R"({"add":{"size":1}})"),
              StatusIs(StatusCode::kCorruption, ::testing::HasSubstr("path")));
  EXPECT_THAT(ParseAction(R"({"txn":{"appId":"a"}})"),
              StatusIs(StatusCode::kCorruption, ::testing::HasSubstr("version")));
  EXPECT_THAT(ParseAction(R"({"add":5})"), StatusIs(StatusCode::kCorruption));
}

}  // namespace
}  // namespace pinpipe::delta
