#include "source/sqlite_source.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "base/status_matchers.h"
#include "source/generator.h"
#include "source/mysql_source.h"
#include "source/seeder.h"
#include "source/source_db.h"

namespace pinpipe::source {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

class SqliteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pinpipe-sqlite-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<SqliteSource> OpenDb() {
    auto db = SqliteSource::Open((dir_ / "nested" / "source.db").string());
    EXPECT_THAT(db, IsOk());
    return db.ok() ? std::move(db).value() : nullptr;
  }

  std::filesystem::path dir_;
};

// (name, declared type) of each column, in order.
std::vector<std::pair<std::string, std::string>> Columns(sqlite3* db, const std::string& table) {
  std::vector<std::pair<std::string, std::string>> out;
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = "PRAGMA table_info(" + table + ")";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return out;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)),
                     reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2)));
  }
  sqlite3_finalize(stmt);
  return out;
}

TEST_F(SqliteSourceTest, SchemaHasTheOriginalColumnsInOrder) {
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->CreateTables(false), IsOk());
  EXPECT_THAT(Columns(db->handle(), "pinterest_data"),
              ElementsAre(Pair("index", "INTEGER"), Pair("unique_id", "TEXT"),
                          Pair("title", "TEXT"), Pair("description", "TEXT"),
                          Pair("poster_name", "TEXT"), Pair("follower_count", "TEXT"),
                          Pair("tag_list", "TEXT"), Pair("is_image_or_video", "TEXT"),
                          Pair("image_src", "TEXT"), Pair("downloaded", "INTEGER"),
                          Pair("save_location", "TEXT"), Pair("category", "TEXT")));
  EXPECT_THAT(
      Columns(db->handle(), "geolocation_data"),
      ElementsAre(Pair("ind", "INTEGER"), Pair("timestamp", "DATETIME"), Pair("latitude", "REAL"),
                  Pair("longitude", "REAL"), Pair("country", "TEXT")));
  EXPECT_THAT(
      Columns(db->handle(), "user_data"),
      ElementsAre(Pair("ind", "INTEGER"), Pair("first_name", "TEXT"), Pair("last_name", "TEXT"),
                  Pair("age", "INTEGER"), Pair("date_joined", "DATETIME")));
}

TEST_F(SqliteSourceTest, InsertedPostsReadBackIdentically) {
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->CreateTables(false), IsOk());
  const Generator generator(GeneratorOptions{.seed = 7});
  std::vector<model::Post> posts;
  for (int i = 0; i < 500; ++i) posts.push_back(generator.Make(i));
  // NULLs survive too.
  posts[3].pin.title.reset();
  posts[3].pin.downloaded.reset();
  posts[3].geo.latitude.reset();
  posts[3].user.date_joined.reset();
  ASSERT_THAT(db->InsertPosts(posts), IsOk());
  EXPECT_THAT(db->RowCount(), IsOkAndHolds(500));
  for (int i : {0, 1, 3, 250, 499}) {
    EXPECT_THAT(db->ReadPost(i), IsOkAndHolds(posts[i])) << "offset " << i;
  }
  EXPECT_THAT(db->ReadPost(500), StatusIs(StatusCode::kOutOfRange, HasSubstr("500")));
  EXPECT_THAT(db->ReadPost(-1), StatusIs(StatusCode::kOutOfRange));
}

TEST_F(SqliteSourceTest, ExistingTablesNeedReplace) {
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->CreateTables(false), IsOk());
  ASSERT_THAT(db->InsertPosts(std::vector<model::Post>{Generator().Make(0)}), IsOk());
  EXPECT_THAT(db->CreateTables(false),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("pinterest_data")));
  ASSERT_THAT(db->CreateTables(true), IsOk());
  EXPECT_THAT(db->RowCount(), IsOkAndHolds(0));
  // Statements prepared before the replace still work afterwards.
  ASSERT_THAT(db->InsertPosts(std::vector<model::Post>{Generator().Make(0)}), IsOk());
  EXPECT_THAT(db->RowCount(), IsOkAndHolds(1));
}

TEST_F(SqliteSourceTest, MissingTablesAreNotFound) {
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  EXPECT_THAT(db->RowCount(), StatusIs(StatusCode::kNotFound, HasSubstr("no such table")));
  EXPECT_THAT(db->ReadPost(0), StatusIs(StatusCode::kNotFound));
}

TEST_F(SqliteSourceTest, NotADatabaseIsCorruption) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "junk.db") << std::string(4096, 'x');
  EXPECT_THAT(SqliteSource::Open((dir_ / "junk.db").string()),
              StatusIs(StatusCode::kCorruption, HasSubstr("not a database")));
}

TEST_F(SqliteSourceTest, SeedFillsChunksInOrderAndReportsProgress) {
  auto db = OpenDb();
  ASSERT_NE(db, nullptr);
  ASSERT_THAT(db->CreateTables(false), IsOk());
  SeedOptions options;
  options.rows = 1234;
  options.chunk_rows = 100;
  options.generator.seed = 3;
  std::vector<int64_t> progress;
  options.progress = [&progress](int64_t done) { progress.push_back(done); };
  auto stats = Seed(*db, options);
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->rows, 1234);
  ASSERT_EQ(progress.size(), 13u);
  EXPECT_EQ(progress.front(), 100);
  EXPECT_EQ(progress.back(), 1234);
  EXPECT_THAT(db->RowCount(), IsOkAndHolds(1234));
  const Generator generator(GeneratorOptions{.seed = 3});
  for (int i : {0, 99, 100, 777, 1233}) {
    EXPECT_THAT(db->ReadPost(i), IsOkAndHolds(generator.Make(i))) << "offset " << i;
  }
}

TEST_F(SqliteSourceTest, OpenDispatchesOnTheUrl) {
  std::filesystem::create_directories(dir_);
  const std::string abs = (dir_ / "a.db").string();
  auto plain = SourceDb::Open(abs);
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ((*plain)->Describe(), "sqlite:" + abs);
  auto triple = SourceDb::Open("sqlite://" + abs);
  ASSERT_THAT(triple, IsOk());
  EXPECT_EQ((*triple)->Describe(), "sqlite:" + abs);
  auto single = SourceDb::Open("sqlite:" + (dir_ / "b.db").string());
  ASSERT_THAT(single, IsOk());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "b.db"));
  EXPECT_THAT(SourceDb::Open(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SourceDb::Open("sqlite:"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SourceDb::Open("postgres://u@h/db"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("mysql://")));
  EXPECT_THAT(SourceDb::Open("mysql://u:p@h:3306"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no database")));
}

TEST(MysqlUrlTest, ParsesAllParts) {
  auto url = ParseMysqlUrl("mysql://admin:p%40ss:w@db.example.com:3307/pinterest_data");
  ASSERT_THAT(url, IsOk());
  EXPECT_EQ(url->user, "admin");
  EXPECT_EQ(url->password, "p@ss:w");
  EXPECT_EQ(url->host, "db.example.com");
  EXPECT_EQ(url->port, 3307);
  EXPECT_EQ(url->database, "pinterest_data");
  auto defaults = ParseMysqlUrl("mysql://root@127.0.0.1/x");
  ASSERT_THAT(defaults, IsOk());
  EXPECT_EQ(defaults->user, "root");
  EXPECT_EQ(defaults->password, "");
  EXPECT_EQ(defaults->port, 3306);
}

TEST(MysqlUrlTest, RejectsMalformedUrls) {
  EXPECT_THAT(ParseMysqlUrl("mysql://u@h:99999/db"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("bad port")));
  EXPECT_THAT(ParseMysqlUrl("mysql://u@h:x/db"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMysqlUrl("mysql://u@/db"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no host")));
  EXPECT_THAT(ParseMysqlUrl("mysql://u%zz@h/db"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("percent")));
  EXPECT_THAT(ParseMysqlUrl("http://h/db"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pinpipe::source
