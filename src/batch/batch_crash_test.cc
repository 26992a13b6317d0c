// Crash tests of the batch job (issue 5, point 2): a run is cut short at a random put — a
// Parquet data file, a Delta commit, a checkpoint, an analysis table, the run summary; before
// the write or after it with the reply lost — 20 times, with new raw objects landing half-way,
// and then run to completion. The tables must equal those of one clean run over the same
// objects. On the in-memory store and on a real s3rver.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "base/status_matchers.h"
#include "batch/batch_job.h"
#include "batch/raw_objects.h"
#include "batch/table_format.h"
#include "objstore/faulty_object_store.h"
#include "objstore/memory_object_store.h"
#include "testutil/s3rver_server.h"

namespace pinpipe::batch {
namespace {

using ::pinpipe::testing::IsOk;

// Raw records of posts [first, first + n): the same ind comes back now and then, some values are
// placeholders, and one line in 50 is not a record at all.
void Land(objstore::ObjectStore& lake, int first, int n, int per_object) {
  for (int start = first; start < first + n; start += per_object) {
    std::string pin, geo, user;
    for (int i = start; i < std::min(first + n, start + per_object); ++i) {
      int ind = (i * 7) % 61;
      std::string id = std::to_string(ind);
      pin += "{\"index\":" + id + ",\"unique_id\":\"u" + id + "\",\"title\":\"t" + id +
             "\",\"description\":\"d\",\"poster_name\":\"p" + std::to_string(ind % 9) +
             "\",\"follower_count\":\"" + (ind % 11 == 0 ? "User Info Error" : std::to_string(ind) + "k") +
             "\",\"tag_list\":\"a\",\"is_image_or_video\":\"image\",\"image_src\":\"s\","
             "\"downloaded\":1,\"save_location\":\"Local save in /data/x\",\"category\":\"c" +
             std::to_string(ind % 4) + "\"}\n";
      geo += "{\"ind\":" + id + ",\"timestamp\":\"20" + std::to_string(17 + ind % 6) +
             "-01-02 03:04:05\",\"latitude\":1.0,\"longitude\":2.0,\"country\":\"k" +
             std::to_string(ind % 5) + "\"}\n";
      user += "{\"ind\":" + id + ",\"first_name\":\"f\",\"last_name\":\"l" + std::to_string(ind % 13) +
              "\",\"age\":" + std::to_string(15 + ind) + ",\"date_joined\":\"201" +
              std::to_string(5 + ind % 6) + "-05-06 07:08:09\"}\n";
      if (i % 50 == 49) pin += "not json\n";
    }
    ASSERT_THAT(lake.Put(SinkKey("c.pin", 0, start), pin), IsOk());
    ASSERT_THAT(lake.Put(SinkKey("c.geo", 0, start), geo), IsOk());
    ASSERT_THAT(lake.Put(SinkKey("c.user", 0, start), user), IsOk());
  }
}

// A DuckDB session of one worker thread, the rest default.
engine::SessionOptions OneThread() {
  engine::SessionOptions o;
  o.threads = 1;
  return o;
}

// Every table of the lake, sorted, as CSV: what must not depend on crashes.
std::string DumpTables(objstore::ObjectStore& lake) {
  auto session = engine::Session::Open(OneThread());
  EXPECT_THAT(session, IsOk());
  auto names = CreateTableViews(lake, **session);
  EXPECT_THAT(names, IsOk());
  std::string out;
  for (const std::string& name : *names) {
    auto rows = (*session)->Query("SELECT * FROM " + name + " ORDER BY ALL");
    EXPECT_THAT(rows, IsOk()) << name;
    if (rows.ok()) out += name + "\n" + FormatCsv(*rows);
  }
  return out;
}

BatchOptions Options() {
  BatchOptions options;
  options.user_id = "c";
  options.fetch_threads = 3;
  options.analyses = BuiltinAnalyses();
  return options;
}

void CrashAndRecover(objstore::ObjectStore& reference_lake, objstore::ObjectStore& lake) {
  constexpr int kFirstWave = 120, kSecondWave = 80, kPerObject = 10;
  Land(reference_lake, 0, kFirstWave + kSecondWave, kPerObject);
  auto session = engine::Session::Open(OneThread());
  ASSERT_THAT(session, IsOk());
  ASSERT_THAT(RunBatch(reference_lake, **session, Options()), IsOk());
  const std::string expected = DumpTables(reference_lake);
  ASSERT_THAT(expected, ::testing::HasSubstr("analysis_top_country"));

  Land(lake, 0, kFirstWave, kPerObject);
  objstore::FaultyObjectStore faulty(&lake);
  std::mt19937 rng(20261124);
  int failed_runs = 0;
  for (int cycle = 0; cycle < 20; ++cycle) {
    if (cycle == 10) Land(lake, kFirstWave, kSecondWave, kPerObject);  // new objects land
    faulty.SetFailAfterPut(rng() % 2 == 0);
    faulty.FailNthPut(1 + static_cast<int64_t>(rng() % 22));
    auto result = RunBatch(faulty, **session, Options());
    if (!result.ok()) ++failed_runs;
    faulty.FailNthPut(0);
  }
  EXPECT_GE(failed_runs, 15) << "the injected faults should cut most runs short";
  ASSERT_THAT(RunBatch(faulty, **session, Options()), IsOk());
  EXPECT_EQ(DumpTables(lake), expected);
  // And one more run changes nothing.
  ASSERT_THAT(RunBatch(faulty, **session, Options()), IsOk());
  EXPECT_EQ(DumpTables(lake), expected);
}

TEST(BatchCrashTest, RunsCutShortAtRandomPutsEndAsOneCleanRun) {
  objstore::MemoryObjectStore reference("reference"), lake("lake");
  CrashAndRecover(reference, lake);
}

TEST(BatchCrashTest, TheSameOnS3rver) {
  auto server = testutil::SharedS3rverServer();
  ASSERT_THAT(server, IsOk());
  auto reference = (*server)->OpenStore("batch-crash/reference");
  auto lake = (*server)->OpenStore("batch-crash/lake");
  ASSERT_THAT(reference, IsOk());
  ASSERT_THAT(lake, IsOk());
  CrashAndRecover(**reference, **lake);
}

const auto* const kS3rverEnvironment =
    ::testing::AddGlobalTestEnvironment(new testutil::S3rverEnvironment());

}  // namespace
}  // namespace pinpipe::batch

