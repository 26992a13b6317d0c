// Golden test of the Delta log: a fixed sequence of commits (create, appends with txn, a
// delete, enough commits for a checkpoint) made with a fake clock and sequential UUIDs must
// produce exactly the files under tests/golden/delta/ (README there). Parquet sizes depend on
// the DuckDB build, so `"size":N` of add/remove actions and `sizeInBytes` are compared as
// "<size>" and checked against the real objects instead.
//
// PINPIPE_UPDATE_GOLDEN=1 rewrites the expected files from the actual output (then review the
// diff by hand: the files are the contract).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "base/status_matchers.h"
#include "base/test_env.h"
#include "delta/checkpoint.h"
#include "delta/log_files.h"
#include "delta/table.h"
#include "engine/parquet.h"
#include "objstore/memory_object_store.h"

namespace pinpipe::delta {
namespace {

using ::pinpipe::testing::IsOk;

constexpr int64_t kStartMicros = 1700000000000000;  // 2023-11-14T22:13:20Z
constexpr const char* kRoot = "tables/golden";

std::string GoldenDir() { return ::pinpipe::testing::SourceDir() + "/tests/golden/delta"; }

bool Updating() {
  const char* env = std::getenv("PINPIPE_UPDATE_GOLDEN");  // NOLINT(concurrency-mt-unsafe)
  return env != nullptr && std::string(env) == "1";
}

std::string Mask(const std::string& text) {
  // File sizes only: `size` of add/remove actions and `sizeInBytes` of _last_checkpoint.
  static const std::regex file_size_re(R"re(("(?:add|remove)":\{.*?"size":)\d+)re");
  static const std::regex bytes_re(R"re(("sizeInBytes":)\d+)re");
  std::string masked = std::regex_replace(text, file_size_re, "$1\"<size>\"");
  return std::regex_replace(masked, bytes_re, "$1\"<size>\"");
}

// Compares `actual` with the golden file `name` (or writes it when updating).
void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = GoldenDir() + "/" + name;
  if (Updating()) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << "missing golden file " << path;
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << "golden file " << path;
}

Schema GoldenSchema() {
  return {{"ind", "long"}, {"user_name", "string"}, {"age", "integer"}, {"score", "double"},
          {"joined", "timestamp"}, {"coordinates", "double", true}};
}

std::string ParquetSchemaText(engine::Session& session, objstore::ObjectStore& store,
                              const std::string& key) {
  auto paths = engine::LocalPaths(session, store, {key});
  EXPECT_THAT(paths, IsOk());
  auto r = session.Query(
      "SELECT name, coalesce(type, ''), coalesce(converted_type, ''), coalesce(logical_type, ''), "
      "repetition_type FROM parquet_schema(" + engine::QuoteLiteral((*paths)[0]) + ")");
  EXPECT_THAT(r, IsOk());
  std::string out;
  for (const auto& row : r->rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "|" : "") + row[c].s;
    out += "\n";
  }
  return out;
}

TEST(DeltaGoldenTest, LogOfAFixedSequenceOfCommits) {
  FakeClock clock(kStartMicros);
  objstore::MemoryObjectStore store("golden", &clock);
  auto session = engine::Session::Open({.threads = 1, .memory_limit = "", .scratch_parent = ""});
  ASSERT_THAT(session, IsOk());
  SequentialUuids uuids;
  TableOptions options;
  options.clock = &clock;
  options.uuid = [&uuids] { return uuids(); };
  auto table = Table::OpenOrCreate(store, **session, kRoot, GoldenSchema(), options);
  ASSERT_THAT(table, IsOk());
  Table& t = **table;

  // Versions 1-3: appends of real rows, each with the batch job's txn.
  const char* batches[] = {
      "SELECT * FROM (VALUES (1, 'Abigail Ali', 20, 1.5, TIMESTAMPTZ '2015-10-24 11:23:51+00', [-89.9787, -173.293]),"
      " (2, 'Bo Li', NULL, NULL, NULL, NULL)) v(ind, user_name, age, score, joined, coordinates)",
      "SELECT * FROM (VALUES (3, 'Céline Dion', 59, -0.25, TIMESTAMPTZ '2017-01-01 00:00:00.123456+00', [1.0, 2.0]))"
      " v(ind, user_name, age, score, joined, coordinates)",
      "SELECT * FROM (VALUES (4, 'A very long user name that is over thirty-two characters', 33, 1e300,"
      " TIMESTAMPTZ '2016-06-30 12:00:00+00', [0.0, 0.0]), (5, 'Zed', 41, 2.0, TIMESTAMPTZ '2016-07-01 00:00:00+00',"
      " NULL)) v(ind, user_name, age, score, joined, coordinates)",
  };
  const int64_t offsets[] = {3, 7, 12};
  std::vector<std::string> paths;
  for (int k = 0; k < 3; ++k) {
    clock.AdvanceMicros(1000000);
    auto add = t.WriteDataFile(batches[k]);
    ASSERT_THAT(add, IsOk());
    paths.push_back(add->path);
    CommitRequest r;
    r.adds.push_back(*add);
    r.txns = {Txn{"0a1b2c3d4e5f.user/0", offsets[k], std::nullopt}};
    ASSERT_THAT(t.Commit(r), IsOk());
  }
  // Version 4: the first file is deleted.
  clock.AdvanceMicros(1000000);
  CommitRequest del;
  del.removes.push_back(RemoveFile{paths[0], clock.NowMicros() / 1000, true,
                                   t.snapshot().files.at(paths[0]).size});
  del.operation = "DELETE";
  del.operation_parameters = {{"predicate", "[\"(ind < 3)\"]"}};
  ASSERT_THAT(t.Commit(del), IsOk());
  // Versions 5-10: appends from a second partition; version 10 is checkpointed.
  for (int k = 5; k <= 10; ++k) {
    clock.AdvanceMicros(1000000);
    auto add = t.WriteDataFile("SELECT " + std::to_string(k + 1) + " AS ind, 'User " + std::to_string(k) +
                               "' AS user_name, " + std::to_string(20 + k) +
                               " AS age, 0.5 AS score, NULL AS joined, NULL AS coordinates");
    ASSERT_THAT(add, IsOk());
    CommitRequest r;
    r.adds.push_back(*add);
    r.txns = {Txn{"0a1b2c3d4e5f.user/1", k, std::nullopt}};
    auto c = t.Commit(r);
    ASSERT_THAT(c, IsOk());
    EXPECT_THAT(c->checkpoint, IsOk());
  }
  ASSERT_EQ(t.snapshot().version, 10);

  // The commits, byte for byte (sizes masked and checked against the objects).
  for (int64_t v = 0; v <= 10; ++v) {
    auto text = store.Get(CommitKey(kRoot, v));
    ASSERT_THAT(text, IsOk());
    auto actions = ParseActions(*text);
    ASSERT_THAT(actions, IsOk());
    for (const Action& a : *actions) {
      if (const auto* add = std::get_if<AddFile>(&a)) {
        auto head = store.Head(JoinKey(kRoot, add->path));
        ASSERT_THAT(head, IsOk());
        EXPECT_EQ(static_cast<uint64_t>(add->size), head->size);
      }
    }
    std::string name = CommitKey("table", v);
    ExpectGolden(name, Mask(*text));
  }
  auto last = store.Get(LastCheckpointKey(kRoot));
  ASSERT_THAT(last, IsOk());
  ExpectGolden("table/_delta_log/_last_checkpoint", Mask(*last));
  auto cp_head = store.Head(CheckpointKey(kRoot, 10));
  ASSERT_THAT(cp_head, IsOk());
  EXPECT_THAT(*last, ::testing::HasSubstr("\"sizeInBytes\":" + std::to_string(cp_head->size)));

  // The checkpoint: its rows as JSON lines, and its Parquet schema.
  auto rows = ReadCheckpoint(**session, store, kRoot, 10);
  ASSERT_THAT(rows, IsOk());
  EXPECT_THAT(*last, ::testing::HasSubstr("\"size\":" + std::to_string(rows->size()) + ","));
  ExpectGolden("table/checkpoint_10_rows.json", Mask(SerializeActions(*rows)));
  ExpectGolden("table/checkpoint_schema.txt",
               ParquetSchemaText(**session, store, CheckpointKey(kRoot, 10)));
  // A data file's Parquet schema: the Delta types.
  ExpectGolden("table/data_file_schema.txt",
               ParquetSchemaText(**session, store, JoinKey(kRoot, paths[1])));

  // What a reader sees: the rows of the live files.
  ASSERT_THAT(t.CreateView("golden"), IsOk());
  auto data = (*session)->Query("SELECT * FROM golden ORDER BY ind");
  ASSERT_THAT(data, IsOk());
  std::string text;
  for (const auto& row : data->rows) {
    for (size_t c = 0; c < row.size(); ++c) text += (c ? " | " : "") + engine::ToText(row[c]);
    text += "\n";
  }
  ExpectGolden("table/rows.txt", text);
}

}  // namespace
}  // namespace pinpipe::delta
