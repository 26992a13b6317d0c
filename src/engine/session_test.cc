#include "engine/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "base/status_matchers.h"

namespace pinpipe::engine {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::unique_ptr<Session> OpenSession() {
  auto session = Session::Open({.threads = 1, .memory_limit = "256MB", .scratch_parent = ""});
  EXPECT_THAT(session, IsOk());
  return std::move(session).value();
}

TEST(SessionTest, QueryReturnsTypedValuesAndColumnTypes) {
  auto session = OpenSession();
  auto result = session->Query(
      "SELECT 42::BIGINT AS b, 7::INTEGER AS i, 1.5::DOUBLE AS d, 'x''y' AS s, NULL::VARCHAR AS n, "
      "TIMESTAMPTZ '2020-08-28 03:52:47+00' AS ts, DATE '2015-10-24' AS dt, "
      "[1.5, NULL, -2.0]::DOUBLE[] AS l, true AS flag, 12.25::DECIMAL(6,2) AS dec");
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->rows.size(), 1u);
  const auto& row = result->rows[0];
  EXPECT_EQ(row[0], Value::Int(42));
  EXPECT_EQ(row[1], Value::Int(7));
  EXPECT_EQ(row[2], Value::Double(1.5));
  EXPECT_EQ(row[3], Value::String("x'y"));
  EXPECT_TRUE(row[4].is_null());
  EXPECT_EQ(row[5], Value::Timestamp(1598586767000000));
  EXPECT_EQ(ToText(row[5]), "2020-08-28 03:52:47");
  EXPECT_EQ(ToText(row[6]), "2015-10-24");
  EXPECT_EQ(row[7], Value::List({Value::Double(1.5), Value::Null(), Value::Double(-2.0)}));
  EXPECT_EQ(ToText(row[7]), "[1.5, NULL, -2.0]");
  EXPECT_EQ(row[8], Value::Bool(true));
  EXPECT_EQ(row[9], Value::Double(12.25));

  EXPECT_EQ(result->columns[0].name, "b");
  EXPECT_EQ(result->columns[0].type.kind, TypeKind::kBigint);
  EXPECT_EQ(result->columns[1].type.kind, TypeKind::kInteger);
  EXPECT_EQ(result->columns[3].type.sql, "VARCHAR");
  EXPECT_EQ(result->columns[5].type.kind, TypeKind::kTimestamp);
  EXPECT_TRUE(result->columns[5].type.with_time_zone);
  EXPECT_EQ(result->columns[7].type.kind, TypeKind::kList);
  EXPECT_EQ(result->columns[7].type.element, TypeKind::kDouble);
  EXPECT_EQ(result->columns[7].type.sql, "DOUBLE[]");
  EXPECT_EQ(result->columns[9].type.sql, "DECIMAL(6,2)");
  EXPECT_EQ(result->ColumnIndex("dt"), 6);
  EXPECT_EQ(result->ColumnIndex("nope"), -1);
}

TEST(SessionTest, ManyRowsAcrossChunksAndHugeintSums) {
  auto session = OpenSession();
  auto result = session->Query("SELECT range AS x FROM range(5000) ORDER BY x");
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->rows.size(), 5000u);
  EXPECT_EQ(result->rows[4999][0], Value::Int(4999));
  auto sum = session->Query("SELECT sum(range) AS s, count(*) AS c FROM range(5000)");
  ASSERT_THAT(sum, IsOk());
  EXPECT_EQ(sum->rows[0][0], Value::Int(12497500));  // HUGEINT read as an integer
  EXPECT_EQ(sum->rows[0][1], Value::Int(5000));
}

TEST(SessionTest, SessionRunsInUtc) {
  auto session = OpenSession();
  auto result = session->Query(
      "SELECT year(TIMESTAMPTZ '2017-12-31 23:30:00+00') AS y, "
      "current_setting('TimeZone') AS tz");
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->rows[0][0], Value::Int(2017));
  EXPECT_EQ(result->rows[0][1], Value::String("UTC"));
}

TEST(SessionTest, DuckDbErrorsBecomeStatuses) {
  auto session = OpenSession();
  EXPECT_THAT(session->Execute("SELEC 1"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("syntax")));
  EXPECT_THAT(session->Query("SELECT * FROM no_such_table"),
              StatusIs(StatusCode::kNotFound, HasSubstr("no_such_table")));
  EXPECT_THAT(session->Query("SELECT {'a': 1} AS st"),
              StatusIs(StatusCode::kUnimplemented, HasSubstr("\"st\"")));
  EXPECT_THAT(session->Query("SELECT {'a': 1}::VARCHAR AS st"), IsOk());
  ASSERT_THAT(session->Execute("CREATE TABLE t (k INTEGER PRIMARY KEY)"), IsOk());
  ASSERT_THAT(session->Execute("INSERT INTO t VALUES (1)"), IsOk());
  EXPECT_THAT(session->Execute("INSERT INTO t VALUES (1)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("primary key")));
}

TEST(SessionTest, DescribeGivesColumnsWithoutRows) {
  auto session = OpenSession();
  auto columns = session->Describe("SELECT 1::BIGINT AS a, 'x' AS b, now() AS c");
  ASSERT_THAT(columns, IsOk());
  ASSERT_EQ(columns->size(), 3u);
  EXPECT_EQ((*columns)[0].name, "a");
  EXPECT_EQ((*columns)[1].type.kind, TypeKind::kVarchar);
  EXPECT_EQ((*columns)[2].type.kind, TypeKind::kTimestamp);
}

TEST(SessionTest, ScratchDirectoryLivesAsLongAsTheSession) {
  std::string dir;
  {
    auto session = OpenSession();
    dir = session->scratch_dir();
    EXPECT_TRUE(std::filesystem::is_directory(dir));
    EXPECT_NE(session->NewScratchPath(".x"), session->NewScratchPath(".x"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(SessionTest, Quoting) {
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
}

}  // namespace
}  // namespace pinpipe::engine
