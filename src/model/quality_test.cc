#include "model/quality.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pinpipe::model {
namespace {

using ::testing::HasSubstr;

TEST(QualityCountersTest, StartsWithCleanedColumnsInOrder) {
  QualityCounters q(Table::kGeo);
  ASSERT_EQ(q.columns().size(), 4u);
  EXPECT_EQ(q.columns()[0].first, "ind");
  EXPECT_EQ(q.columns()[2].first, "coordinates");
  EXPECT_EQ(q.rows_written(), 0);
}

TEST(QualityCountersTest, CountsRowsAndReasons) {
  QualityCounters q(Table::kPin);
  for (int i = 0; i < 5; ++i) q.CountRead();
  q.CountRejectedRow("invalid JSON");
  q.CountRejectedRow("invalid JSON");
  q.CountDuplicate();
  q.CountNulled("title");
  q.CountConverted("follower_count");
  q.CountRejected("follower_count");
  EXPECT_EQ(q.rows_rejected(), 2);
  EXPECT_EQ(q.rows_written(), 2);
  EXPECT_EQ(q.reject_reasons().at("invalid JSON"), 2);
  EXPECT_EQ(q.column("title"), (ColumnQuality{1, 0, 0}));
  EXPECT_EQ(q.column("follower_count"), (ColumnQuality{0, 1, 1}));
  EXPECT_EQ(q.column("no_such"), (ColumnQuality{}));
}

TEST(QualityCountersTest, CapsDistinctReasons) {
  QualityCounters q(Table::kUser);
  for (size_t i = 0; i < QualityCounters::kMaxReasons + 3; ++i) {
    q.CountRejectedRow("reason " + std::to_string(i));
  }
  EXPECT_EQ(q.reject_reasons().size(), QualityCounters::kMaxReasons + 1);
  EXPECT_EQ(q.reject_reasons().at(std::string(QualityCounters::kOtherReason)), 3);
}

TEST(QualityCountersTest, MergesAndResets) {
  QualityCounters a(Table::kUser);
  QualityCounters b(Table::kUser);
  a.CountRead();
  b.CountRead();
  b.CountRead();
  b.CountRejectedRow("x");
  b.CountDuplicate();
  a.CountNulled("user_name");
  b.CountNulled("user_name");
  b.CountRejected("age");
  a += b;
  EXPECT_EQ(a.rows_read(), 3);
  EXPECT_EQ(a.rows_rejected(), 1);
  EXPECT_EQ(a.duplicates_dropped(), 1);
  EXPECT_EQ(a.reject_reasons().at("x"), 1);
  EXPECT_EQ(a.column("user_name"), (ColumnQuality{2, 0, 0}));
  EXPECT_EQ(a.column("age"), (ColumnQuality{0, 0, 1}));
  a.Reset();
  EXPECT_EQ(a.rows_read(), 0);
  EXPECT_TRUE(a.reject_reasons().empty());
  EXPECT_EQ(a.column("user_name"), (ColumnQuality{}));
  EXPECT_EQ(a.columns().size(), 4u);
}

TEST(QualityCountersTest, PrintsTextAndJson) {
  QualityCounters q(Table::kGeo);
  q.CountRead();
  q.CountRead();
  q.CountRejectedRow("invalid JSON");
  q.CountConverted("timestamp");
  EXPECT_EQ(q.ToText(),
            "geo: 2 read, 1 rejected, 0 duplicates, 1 written\n"
            "  rejected: invalid JSON: 1\n"
            "  column          nulled  converted   rejected\n"
            "  ind                  0          0          0\n"
            "  country              0          0          0\n"
            "  coordinates          0          0          0\n"
            "  timestamp            0          1          0\n");
  EXPECT_EQ(q.ToJson(), R"({"table":"geo","rows_read":2,"rows_rejected":1,"duplicates_dropped":0,)"
                        R"("rows_written":1,"reject_reasons":{"invalid JSON":1},"columns":{)"
                        R"("ind":{"nulled":0,"converted":0,"rejected":0},)"
                        R"("country":{"nulled":0,"converted":0,"rejected":0},)"
                        R"("coordinates":{"nulled":0,"converted":0,"rejected":0},)"
                        R"("timestamp":{"nulled":0,"converted":1,"rejected":0}}})");
}

}  // namespace
}  // namespace pinpipe::model
