#include "batch/batch_job.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "batch/raw_objects.h"
#include "batch/table_format.h"
#include "objstore/memory_object_store.h"

namespace pinpipe::batch {
namespace {

using ::pinpipe::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kUser[] = "u1";

std::string Pin(int ind, std::string_view category, std::string_view followers) {
  return "{\"index\":" + std::to_string(ind) +
         ",\"unique_id\":\"id" + std::to_string(ind) +
         "\",\"title\":\"No Title Data Available\",\"description\":\"d\",\"poster_name\":\"p" +
         std::to_string(ind) + "\",\"follower_count\":\"" + std::string(followers) +
         "\",\"tag_list\":\"a,b\",\"is_image_or_video\":\"image\",\"image_src\":\"x\","
         "\"downloaded\":1,\"save_location\":\"Local save in /data/" + std::string(category) +
         "\",\"category\":\"" + std::string(category) + "\"}";
}
std::string Geo(int ind, std::string_view country, int year) {
  return "{\"ind\":" + std::to_string(ind) + ",\"timestamp\":\"" + std::to_string(year) +
         "-03-04 05:06:07\",\"latitude\":1.5,\"longitude\":-2.25,\"country\":\"" +
         std::string(country) + "\"}";
}
std::string User(int ind, int age) {
  return "{\"ind\":" + std::to_string(ind) +
         ",\"first_name\":\"Ann\",\"last_name\":\"Lee\",\"age\":" + std::to_string(age) +
         ",\"date_joined\":\"2016-01-02 03:04:05\"}";
}

class BatchJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto session = engine::Session::Open({.threads = 1});
    ASSERT_THAT(session, IsOk());
    session_ = std::move(session).value();
    options_.user_id = kUser;
    options_.analyses = BuiltinAnalyses();
  }

  // Writes posts [first, first + n) as objects of `per_object` records to the three topics.
  void Land(int first, int n, int per_object) {
    for (int start = first; start < first + n; start += per_object) {
      std::string pin, geo, user;
      for (int i = start; i < std::min(first + n, start + per_object); ++i) {
        int ind = i % 37;  // repeats: the same post arrives again
        pin += Pin(ind, ind % 3 == 0 ? "art" : "travel", ind % 5 == 0 ? "User Info Error" : "2k") + "\n";
        geo += Geo(ind, ind % 2 == 0 ? "Chile" : "Fiji", 2018 + ind % 4) + "\n";
        user += User(ind, 20 + ind) + "\n";
      }
      ASSERT_THAT(lake_.Put(SinkKey("u1.pin", 0, start), pin), IsOk());
      ASSERT_THAT(lake_.Put(SinkKey("u1.geo", 0, start), geo), IsOk());
      ASSERT_THAT(lake_.Put(SinkKey("u1.user", 0, start), user), IsOk());
    }
  }

  std::string Dump(const std::string& sql) {
    auto views = CreateTableViews(lake_, *session_);
    EXPECT_THAT(views, IsOk());
    auto result = session_->Query(sql);
    EXPECT_THAT(result, IsOk());
    return result.ok() ? FormatCsv(*result) : "";
  }

  objstore::MemoryObjectStore lake_;
  std::unique_ptr<engine::Session> session_;
  BatchOptions options_;
};

TEST_F(BatchJobTest, CleansDeduplicatesAndRunsTheAnalyses) {
  Land(0, 50, 7);
  auto result = RunBatch(lake_, *session_, options_);
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->tables.size(), 3u);
  EXPECT_EQ(result->tables[0].table, "cleaned_pin");
  EXPECT_EQ(result->tables[0].objects, 8);
  EXPECT_EQ(result->tables[0].rows_added, 37);
  EXPECT_EQ(result->tables[0].quality.duplicates_dropped(), 13);
  EXPECT_EQ(Dump("SELECT count(*) AS n, count(DISTINCT ind) AS d, count(title) AS titles, "
                 "sum(follower_count) AS f FROM cleaned_pin"),
            "n,d,titles,f\n37,37,0,58000\n");
  EXPECT_EQ(Dump("SELECT ind, coordinates, timestamp FROM cleaned_geo WHERE ind = 3"),
            "ind,coordinates,timestamp\n3,\"[1.5, -2.25]\",2021-03-04 05:06:07\n");
  EXPECT_EQ(Dump("SELECT user_name, age FROM cleaned_user WHERE ind = 1"),
            "user_name,age\nAnn Lee,21\n");
  EXPECT_EQ(result->analyses.size(), BuiltinAnalyses().size());
  EXPECT_EQ(Dump("SELECT * FROM analysis_top_country"), FormatCsv(result->analyses[6].result));
  EXPECT_THAT(result->QualityJson(), HasSubstr("\"duplicates_dropped\":13"));
  EXPECT_THAT(lake_.Head(RunSummaryKey(result->started_ms)), IsOk());
}

TEST_F(BatchJobTest, ASecondRunChangesNothingAndNewObjectsAreAddedOnce) {
  Land(0, 30, 10);
  ASSERT_THAT(RunBatch(lake_, *session_, options_), IsOk());
  std::string before = Dump("SELECT * FROM cleaned_pin ORDER BY ind");
  auto again = RunBatch(lake_, *session_, options_);
  ASSERT_THAT(again, IsOk());
  for (const TableRun& t : again->tables) {
    EXPECT_EQ(t.objects, 0) << t.table;
    EXPECT_EQ(t.version, -1) << t.table;
  }
  EXPECT_EQ(Dump("SELECT * FROM cleaned_pin ORDER BY ind"), before);

  Land(30, 20, 10);  // inds 30..36 are new, 0..12 repeat
  auto third = RunBatch(lake_, *session_, options_);
  ASSERT_THAT(third, IsOk());
  EXPECT_EQ(third->tables[0].objects, 2);
  EXPECT_EQ(third->tables[0].rows_added, 7);
  EXPECT_EQ(third->tables[0].quality.duplicates_dropped(), 13);
  EXPECT_EQ(Dump("SELECT count(*) AS n, count(DISTINCT ind) AS d FROM cleaned_pin"),
            "n,d\n37,37\n");
}

TEST_F(BatchJobTest, RejectedRowsAreCountedWithTheirReason) {
  ASSERT_THAT(lake_.Put(SinkKey("u1.pin", 0, 0), Pin(1, "art", "1k") + "\n{\"index\":\"x\"}\n\n" +
                                                     "[1,2]\n" + Pin(2, "art", "3M") + "\n"),
              IsOk());
  auto result = RunBatch(lake_, *session_, options_);
  ASSERT_THAT(result, IsOk());
  const model::QualityCounters& q = result->tables[0].quality;
  EXPECT_EQ(q.rows_read(), 4);
  EXPECT_EQ(q.rows_rejected(), 2);
  EXPECT_EQ(result->tables[0].rows_added, 2);
  EXPECT_EQ(result->tables[1].version, -1);  // no geo objects: nothing committed
}

TEST_F(BatchJobTest, FullRefreshRebuildsFromEveryObject) {
  Land(0, 20, 5);
  ASSERT_THAT(RunBatch(lake_, *session_, options_), IsOk());
  options_.full_refresh = true;
  auto result = RunBatch(lake_, *session_, options_);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->tables[0].objects, 4);
  EXPECT_EQ(Dump("SELECT count(*) AS n FROM cleaned_pin"), "n\n20\n");
}

}  // namespace
}  // namespace pinpipe::batch
