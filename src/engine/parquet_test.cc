#include "engine/parquet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "base/status_matchers.h"
#include "engine/appender.h"
#include "objstore/local_object_store.h"
#include "objstore/memory_object_store.h"

namespace pinpipe::engine {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;

std::unique_ptr<Session> OpenSession() {
  auto session = Session::Open({.threads = 1, .memory_limit = "", .scratch_parent = ""});
  EXPECT_THAT(session, IsOk());
  return std::move(session).value();
}

// name -> "physical|converted|logical" from parquet_schema().
std::map<std::string, std::string> ParquetSchema(Session& session, const std::string& path) {
  auto r = session.Query(
      "SELECT name, coalesce(type, ''), coalesce(converted_type, ''), coalesce(logical_type, '') "
      "FROM parquet_schema(" + QuoteLiteral(path) + ")");
  EXPECT_THAT(r, IsOk());
  std::map<std::string, std::string> out;
  for (const auto& row : r->rows) {
    out[row[0].s] = row[1].s + "|" + row[2].s + "|" + row[3].s;
  }
  return out;
}

TEST(ParquetTest, CleanedColumnsAreWrittenWithTheDeltaParquetTypes) {
  auto session = OpenSession();
  ASSERT_THAT(CreateCleanTable(*session, "geo", model::Table::kGeo), IsOk());
  ASSERT_THAT(CreateCleanTable(*session, "usr", model::Table::kUser), IsOk());
  std::vector<model::CleanGeo> geos(1);
  geos[0].coordinates = std::array<double, 2>{1.0, 2.0};
  geos[0].timestamp = 1598586767000000;
  std::vector<model::CleanUser> users(1);
  users[0].age = 20;
  ASSERT_THAT(AppendRows(*session, "geo", geos), IsOk());
  ASSERT_THAT(AppendRows(*session, "usr", users), IsOk());

  std::string geo_path = session->NewScratchPath(".parquet");
  ASSERT_THAT(CopyToParquet(*session, "SELECT * FROM geo", geo_path), IsOk());
  auto geo = ParquetSchema(*session, geo_path);
  EXPECT_EQ(geo["ind"], "INT64|INT_64|");
  EXPECT_EQ(geo["country"], "BYTE_ARRAY|UTF8|");
  EXPECT_EQ(geo["coordinates"], "|LIST|");
  EXPECT_EQ(geo["element"], "DOUBLE||");
  // Delta `timestamp`: INT64, TIMESTAMP(isAdjustedToUTC=true, MICROS).
  EXPECT_EQ(geo["timestamp"].substr(0, geo["timestamp"].find('(')),
            "INT64|TIMESTAMP_MICROS|TimestampType");
  EXPECT_THAT(geo["timestamp"], ::testing::HasSubstr("isAdjustedToUTC=1"));
  EXPECT_THAT(geo["timestamp"], ::testing::HasSubstr("MICROS=MicroSeconds()"));

  std::string user_path = session->NewScratchPath(".parquet");
  ASSERT_THAT(CopyToParquet(*session, "SELECT * FROM usr", user_path), IsOk());
  auto user = ParquetSchema(*session, user_path);
  EXPECT_EQ(user["age"], "INT32|INT_32|");
  EXPECT_THAT(user["date_joined"], ::testing::HasSubstr("isAdjustedToUTC=1"));
}

TEST(ParquetTest, ObjectsGoThroughTheStoreAndReadBack) {
  auto session = OpenSession();
  objstore::MemoryObjectStore store;
  auto size = WriteParquetObject(*session, "SELECT range AS x, 'v' || range AS s FROM range(100)",
                                 store, "t/part-1.parquet");
  ASSERT_THAT(size, IsOk());
  auto head = store.Head("t/part-1.parquet");
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->size, *size);
  ASSERT_THAT(WriteParquetObject(*session, "SELECT 1000 AS x", store, "t/part-2.parquet"), IsOk());

  auto paths = LocalPaths(*session, store, {"t/part-1.parquet", "t/part-2.parquet"});
  ASSERT_THAT(paths, IsOk());
  ASSERT_EQ(paths->size(), 2u);
  EXPECT_EQ((*paths)[0].rfind(session->scratch_dir(), 0), 0u);  // copied: not a file:// store
  auto r = session->Query("SELECT count(*), sum(x), count(s) FROM " + ReadParquetSql(*paths));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->rows[0][0], Value::Int(101));
  EXPECT_EQ(r->rows[0][1], Value::Int(4950 + 1000));
  EXPECT_EQ(r->rows[0][2], Value::Int(100));  // the file without `s` reads it as NULL
}

// A store whose URL is a local directory (it holds nothing: only the URL matters here).
class DirStore final : public objstore::ObjectStore {
 public:
  explicit DirStore(std::string dir) : dir_(std::move(dir)) {}
  Status Put(std::string_view, std::string_view, const objstore::PutOptions&) override {
    return UnimplementedError("put");
  }
  Result<std::string> Get(std::string_view) override { return NotFoundError("get"); }
  Result<std::string> GetRange(std::string_view, uint64_t, uint64_t) override {
    return NotFoundError("get");
  }
  Result<objstore::ObjectInfo> Head(std::string_view) override { return NotFoundError("head"); }
  Result<objstore::ListPage> List(std::string_view, std::string_view, int) override {
    return objstore::ListPage{};
  }
  Status Delete(std::string_view) override { return Status::OK(); }
  std::string Url() const override { return "file://" + dir_; }

 private:
  std::string dir_;
};

TEST(ParquetTest, LocalStoresAreReadInPlace) {
  auto session = OpenSession();
  DirStore store("/lake/dir%20x");
  auto paths = LocalPaths(*session, store, {"tables/a/part-1.parquet"});
  ASSERT_THAT(paths, IsOk());
  EXPECT_EQ((*paths)[0], "/lake/dir x/tables/a/part-1.parquet");
  EXPECT_EQ(LocalDirOfUrl("file:///a/b/"), "/a/b");
  EXPECT_EQ(LocalDirOfUrl("s3://bucket/p"), "");
}

TEST(ParquetTest, LocalStoresAreWrittenInPlaceWithoutLeftovers) {
  auto session = OpenSession();
  std::string dir = session->NewScratchPath("-lake");
  std::filesystem::create_directories(dir);
  DirStore store(dir);  // its Put refuses: the file must not go through it
  auto size = WriteParquetObject(*session, "SELECT range AS x FROM range(50)", store,
                                 "tables/a/part-1.parquet");
  ASSERT_THAT(size, IsOk());
  const std::string path = dir + "/tables/a/part-1.parquet";
  EXPECT_EQ(std::filesystem::file_size(path), *size);
  auto r = session->Query("SELECT count(*), sum(x) FROM " + ReadParquetSql({path}));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->rows[0][0], Value::Int(50));
  EXPECT_EQ(r->rows[0][1], Value::Int(1225));
  // The temp file was renamed, not copied; nothing is left in the store's temp directory.
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/" + objstore::LocalObjectStore::kTempDir));
  EXPECT_THAT(WriteParquetObject(*session, "SELECT 1 AS x", store, "../escape.parquet"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(WriteParquetObject(*session, "SELECT nope", store, "tables/a/part-2.parquet"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_FALSE(std::filesystem::exists(dir + "/tables/a/part-2.parquet"));
  EXPECT_TRUE(std::filesystem::is_empty(dir + "/" + objstore::LocalObjectStore::kTempDir));
}

}  // namespace
}  // namespace pinpipe::engine
