// The analyses end to end on the hand-made fixture of tests/golden/analysis: its raw records
// land in the sink layout (partition 0, in file order, 4 records per object), `RunBatch` cleans
// them into Delta tables and runs every built-in analysis, and each result, as CSV, must equal
// the expected file written by hand (README.md there says how each was derived).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "base/status_matchers.h"
#include "base/test_env.h"
#include "batch/batch_job.h"
#include "batch/raw_objects.h"
#include "batch/table_format.h"
#include "objstore/memory_object_store.h"

namespace pinpipe::batch {
namespace {

using ::pinpipe::testing::IsOk;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(pinpipe::testing::SourceDir() + "/tests/golden/analysis/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Land(objstore::MemoryObjectStore& lake, const std::string& topic, const std::string& file) {
  std::istringstream lines(ReadFixture(file));
  std::string line, object;
  int64_t offset = 0, start = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    object += line + "\n";
    if (++offset % 4 == 0) {
      ASSERT_THAT(lake.Put(SinkKey(topic, 0, start), object), IsOk());
      object.clear();
      start = offset;
    }
  }
  if (!object.empty()) ASSERT_THAT(lake.Put(SinkKey(topic, 0, start), object), IsOk());
}

TEST(GoldenAnalysisTest, EveryAnalysisMatchesItsHandWrittenResult) {
  objstore::MemoryObjectStore lake;
  Land(lake, "g.pin", "pin.jsonl");
  Land(lake, "g.geo", "geo.jsonl");
  Land(lake, "g.user", "user.jsonl");
  auto session = engine::Session::Open({.threads = 1});
  ASSERT_THAT(session, IsOk());
  BatchOptions options;
  options.user_id = "g";
  options.analyses = BuiltinAnalyses();
  ASSERT_EQ(options.analyses.size(), 9u);
  auto result = RunBatch(lake, **session, options);
  ASSERT_THAT(result, IsOk());
  for (const AnalysisRun& run : result->analyses) {
    EXPECT_EQ(FormatCsv(run.result), ReadFixture(run.name + ".csv")) << run.name;
  }
  // And read back from the Delta tables the run wrote.
  ASSERT_THAT(CreateTableViews(lake, **session), IsOk());
  for (const AnalysisRun& run : result->analyses) {
    auto back = (*session)->Query("SELECT * FROM " + run.table);
    ASSERT_THAT(back, IsOk());
    EXPECT_EQ(FormatCsv(*back), ReadFixture(run.name + ".csv")) << run.table;
  }
}

TEST(GoldenAnalysisTest, CleanedTablesMatchTheCleanedFixture) {
  objstore::MemoryObjectStore lake;
  Land(lake, "g.pin", "pin.jsonl");
  Land(lake, "g.geo", "geo.jsonl");
  Land(lake, "g.user", "user.jsonl");
  auto session = engine::Session::Open({.threads = 1});
  ASSERT_THAT(session, IsOk());
  BatchOptions options;
  options.user_id = "g";
  options.run_analyses = false;
  auto result = RunBatch(lake, **session, options);
  ASSERT_THAT(result, IsOk());
  for (const TableRun& t : result->tables) {
    std::istringstream expected(ReadFixture(t.table + ".jsonl"));
    int64_t lines = 0;
    for (std::string line; std::getline(expected, line);) lines += line.empty() ? 0 : 1;
    EXPECT_EQ(t.rows_added, lines) << t.table;
  }
}

}  // namespace
}  // namespace pinpipe::batch
