#include "delta/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "engine/session.h"

namespace pinpipe::delta {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;

TEST(SchemaTest, SparkStructTypeJson) {
  EXPECT_EQ(ToSchemaString(CleanTableSchema(model::Table::kGeo)),
            R"({"type":"struct","fields":[)"
            R"({"name":"ind","type":"long","nullable":true,"metadata":{}},)"
            R"({"name":"country","type":"string","nullable":true,"metadata":{}},)"
            R"({"name":"coordinates","type":{"type":"array","elementType":"double","containsNull":true},"nullable":true,"metadata":{}},)"
            R"({"name":"timestamp","type":"timestamp","nullable":true,"metadata":{}}]})");
}

TEST(SchemaTest, ParsesWhatItWritesAndSparksPrettyForm) {
  for (model::Table t : {model::Table::kPin, model::Table::kGeo, model::Table::kUser}) {
    Schema s = CleanTableSchema(t);
    EXPECT_THAT(ParseSchemaString(ToSchemaString(s)), IsOkAndHolds(s));
  }
  auto spark = ParseSchemaString(R"({
    "type" : "struct",
    "fields" : [ { "name" : "a", "type" : "integer", "nullable" : false, "metadata" : { } } ] })");
  ASSERT_THAT(spark, IsOk());
  EXPECT_EQ(*spark, (Schema{Field{"a", "integer", false, false}}));
}

TEST(SchemaTest, RefusesTypesPinpipeDoesNotHandle) {
  EXPECT_THAT(ParseSchemaString(R"({"type":"struct","fields":[{"name":"m","type":{"type":"map",)"
                                R"("keyType":"string","valueType":"string"},"nullable":true}]})"),
              StatusIs(StatusCode::kUnimplemented));
  EXPECT_THAT(ParseSchemaString(R"j({"type":"struct","fields":[{"name":"d","type":"decimal(10,2)"}]})j"),
              StatusIs(StatusCode::kUnimplemented));
  EXPECT_THAT(ParseSchemaString("nope"), StatusIs(StatusCode::kCorruption));
}

TEST(SchemaTest, DuckDbTypesKeepTimestampsAdjustedToUtc) {
  Schema geo = CleanTableSchema(model::Table::kGeo);
  EXPECT_EQ(DuckDbType(geo[0]), "BIGINT");
  EXPECT_EQ(DuckDbType(geo[2]), "DOUBLE[]");
  EXPECT_EQ(DuckDbType(geo[3]), "TIMESTAMPTZ");
  EXPECT_EQ(DuckDbType(CleanTableSchema(model::Table::kUser)[2]), "INTEGER");
}

TEST(SchemaTest, FromQueryColumns) {
  auto session = engine::Session::Open({.threads = 1, .memory_limit = "", .scratch_parent = ""});
  ASSERT_THAT(session, IsOk());
  auto columns = (*session)->Describe(
      "SELECT 'x' AS category, count(*) AS category_count, 2018 AS post_year, "
      "TIMESTAMP '2020-01-01' AS ts, [1.0]::DOUBLE[] AS c, 1.5 AS dec, true AS b, "
      "DATE '2020-01-01' AS d, 3::SMALLINT AS small");
  ASSERT_THAT(columns, IsOk());
  auto schema = SchemaFromColumns(*columns);
  ASSERT_THAT(schema, IsOk());
  EXPECT_EQ(*schema, (Schema{{"category", "string"}, {"category_count", "long"},
                             {"post_year", "integer"}, {"ts", "timestamp"},
                             {"c", "double", true}, {"dec", "double"}, {"b", "boolean"},
                             {"d", "date"}, {"small", "integer"}}));
  auto bad = (*session)->Describe("SELECT INTERVAL 1 DAY AS i");
  ASSERT_THAT(bad, IsOk());
  EXPECT_THAT(SchemaFromColumns(*bad),
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("\"i\"")));
}

}  // namespace
}  // namespace pinpipe::delta
