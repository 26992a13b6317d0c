#include "model/row_cleaner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"

namespace pinpipe::model {
namespace {

using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

TEST(RowCleanerTest, CleansDedupsAndCounts) {
  RowCleaner c(Table::kUser);
  std::string out;
  EXPECT_THAT(
      c.Process(
          R"({"ind": 7528, "first_name": "Abigail", "last_name": "Ali", "age": 20, "date_joined": "2015-10-24 11:23:51"})",
          &out),
      IsOkAndHolds(true));
  EXPECT_EQ(
      out,
      R"({"ind":7528,"user_name":"Abigail Ali","age":20,"date_joined":"2015-10-24T11:23:51Z"})");
  out.clear();
  // The same ind again, even with other values: dropped, first arrival wins.
  EXPECT_THAT(
      c.Process(R"({"ind": 7528, "first_name": "Other", "last_name": "X", "age": "oops"})", &out),
      IsOkAndHolds(false));
  EXPECT_EQ(out, "");
  EXPECT_THAT(c.Process("not json", &out),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
  EXPECT_EQ(out, "");
  const QualityCounters& q = c.quality();
  EXPECT_EQ(q.rows_read(), 3);
  EXPECT_EQ(q.duplicates_dropped(), 1);
  EXPECT_EQ(q.rows_rejected(), 1);
  EXPECT_EQ(q.rows_written(), 1);
  EXPECT_EQ(q.column("date_joined"), (ColumnQuality{0, 1, 0}));
  EXPECT_EQ(q.column("age"), (ColumnQuality{}));  // the duplicate's bad age is not counted
  EXPECT_EQ(q.reject_reasons().size(), 1u);
}

TEST(RowCleanerTest, DecodeRejectionsCountForKeptRows) {
  RowCleaner c(Table::kUser);
  std::string out;
  EXPECT_THAT(c.Process(R"({"ind": 1, "age": "abc"})", &out), IsOkAndHolds(true));
  EXPECT_EQ(out, R"({"ind":1,"user_name":null,"age":null,"date_joined":null})");
  EXPECT_EQ(c.quality().column("age"), (ColumnQuality{0, 0, 1}));
}

TEST(RowCleanerTest, PinAndGeo) {
  RowCleaner pins(Table::kPin);
  RowCleaner geos(Table::kGeo);
  std::string out;
  EXPECT_THAT(
      pins.Process(
          R"({"index": 9, "follower_count": "1.5k", "save_location": "Local save in /data/art"})",
          &out),
      IsOkAndHolds(true));
  out.push_back('\n');
  EXPECT_THAT(
      geos.Process(
          R"({"ind": 9, "timestamp": "2020-08-28T03:52:47.5+01:00", "latitude": 1, "longitude": -2.25})",
          &out),
      IsOkAndHolds(true));
  EXPECT_EQ(
      out,
      R"({"ind":9,"unique_id":null,"title":null,"description":null,"follower_count":1500,)"
      R"("poster_name":null,"tag_list":null,"is_image_or_video":null,"image_src":null,)"
      R"("save_location":"/data/art","category":null})"
      "\n"
      R"({"ind":9,"country":null,"coordinates":[1.0,-2.25],"timestamp":"2020-08-28T02:52:47.500000Z"})");
}

}  // namespace
}  // namespace pinpipe::model
