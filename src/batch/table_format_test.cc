#include "batch/table_format.h"

#include <gtest/gtest.h>

namespace pinpipe::batch {
namespace {

using engine::Value;

engine::QueryResult Sample() {
  engine::QueryResult r;
  r.columns = {{"country", {engine::TypeKind::kVarchar, false, engine::TypeKind::kOther, "VARCHAR"}},
               {"n", {engine::TypeKind::kBigint, false, engine::TypeKind::kOther, "BIGINT"}},
               {"at", {engine::TypeKind::kTimestamp, true, engine::TypeKind::kOther, "TIMESTAMPTZ"}}};
  r.rows = {{Value::String("Côte, \"d'Ivoire\""), Value::Int(12), Value::Timestamp(1598586767000000)},
            {Value::String("Chad"), Value::Null(), Value::Null()}};
  return r;
}

TEST(TableFormatTest, AlignsColumnsAndRightAlignsNumbers) {
  EXPECT_EQ(FormatTable(Sample()),
            "country           n     at\n"
            "----------------  ----  -------------------\n"
            "Côte, \"d'Ivoire\"    12  2020-08-28 03:52:47\n"
            "Chad              NULL  NULL\n"
            "(2 rows)\n");
}

TEST(TableFormatTest, CsvQuotesOnlyWhenNeededAndWritesNullAsEmpty) {
  EXPECT_EQ(FormatCsv(Sample()),
            "country,n,at\n"
            "\"Côte, \"\"d'Ivoire\"\"\",12,2020-08-28 03:52:47\n"
            "Chad,,\n");
}

TEST(TableFormatTest, JsonLinesKeepTypes) {
  EXPECT_EQ(FormatJsonLines(Sample()),
            "{\"country\":\"Côte, \\\"d'Ivoire\\\"\",\"n\":12,\"at\":\"2020-08-28 03:52:47\"}\n"
            "{\"country\":\"Chad\",\"n\":null,\"at\":null}\n");
}

}  // namespace
}  // namespace pinpipe::batch
