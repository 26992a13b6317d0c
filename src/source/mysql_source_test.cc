// MysqlSource against a real, private MariaDB server (tests/testutil/mariadb_server.h).
#include "source/mysql_source.h"

#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <mysql.h>

#include "base/status_matchers.h"
#include "source/generator.h"
#include "source/seeder.h"
#include "source/source_db.h"
#include "source/sqlite_source.h"
#include "testutil/mariadb_server.h"

namespace pinpipe::source {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

[[maybe_unused]] ::testing::Environment* const kMariaDbEnv =
    ::testing::AddGlobalTestEnvironment(new testutil::MariaDbEnvironment);

class MysqlSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testutil::SharedMariaDbServer();
    ASSERT_THAT(server, IsOk()) << "a real MariaDB is required: scripts/bootstrap --test";
    server_ = *server;
    auto url = server_->FreshDatabase(
        std::string("t_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_THAT(url, IsOk());
    url_ = *url;
    auto db = SourceDb::Open(url_);
    ASSERT_THAT(db, IsOk());
    db_ = std::move(db).value();
  }

  testutil::MariaDbServer* server_ = nullptr;
  std::string url_;
  std::unique_ptr<SourceDb> db_;
};

// (column_name, column_type) of `table` in the server's catalogue, in order.
std::vector<std::pair<std::string, std::string>> Columns(const std::string& url,
                                                         const std::string& table) {
  std::vector<std::pair<std::string, std::string>> out;
  auto parsed = ParseMysqlUrl(url);
  if (!parsed.ok()) return out;
  MYSQL* db = mysql_init(nullptr);
  if (mysql_real_connect(db, parsed->host.c_str(), parsed->user.c_str(), parsed->password.c_str(),
                         parsed->database.c_str(), parsed->port, nullptr, 0) != nullptr) {
    const std::string sql =
        "SELECT column_name, column_type FROM information_schema.columns WHERE table_schema = "
        "DATABASE() AND table_name = '" +
        table + "' ORDER BY ordinal_position";
    if (mysql_query(db, sql.c_str()) == 0) {
      MYSQL_RES* res = mysql_store_result(db);
      while (MYSQL_ROW row = mysql_fetch_row(res)) out.emplace_back(row[0], row[1]);
      mysql_free_result(res);
    }
  }
  mysql_close(db);
  return out;
}

TEST_F(MysqlSourceTest, SchemaHasTheOriginalColumnsInOrder) {
  ASSERT_THAT(db_->CreateTables(false), IsOk());
  EXPECT_THAT(Columns(url_, "pinterest_data"),
              ElementsAre(Pair("index", "int(11)"), Pair("unique_id", "text"),
                          Pair("title", "text"), Pair("description", "text"),
                          Pair("poster_name", "text"), Pair("follower_count", "text"),
                          Pair("tag_list", "text"), Pair("is_image_or_video", "text"),
                          Pair("image_src", "text"), Pair("downloaded", "int(11)"),
                          Pair("save_location", "text"), Pair("category", "text")));
  EXPECT_THAT(
      Columns(url_, "geolocation_data"),
      ElementsAre(Pair("ind", "int(11)"), Pair("timestamp", "datetime"), Pair("latitude", "double"),
                  Pair("longitude", "double"), Pair("country", "text")));
  EXPECT_THAT(
      Columns(url_, "user_data"),
      ElementsAre(Pair("ind", "int(11)"), Pair("first_name", "text"), Pair("last_name", "text"),
                  Pair("age", "int(11)"), Pair("date_joined", "datetime")));
}

TEST_F(MysqlSourceTest, RoundTripOutOfRangeAndReplace) {
  ASSERT_THAT(db_->CreateTables(false), IsOk());
  const Generator generator(GeneratorOptions{.seed = 9});
  std::vector<model::Post> posts;
  for (int i = 0; i < 300; ++i) posts.push_back(generator.Make(i));
  posts[5].pin.title.reset();
  posts[5].geo.longitude.reset();
  posts[5].pin.poster_name = "Café Crème ✨ 'quoted' \\ back";  // escaping and utf8mb4
  ASSERT_THAT(db_->InsertPosts(posts), IsOk());
  EXPECT_THAT(db_->RowCount(), IsOkAndHolds(300));
  for (int i : {0, 5, 150, 299}) {
    EXPECT_THAT(db_->ReadPost(i), IsOkAndHolds(posts[i])) << "offset " << i;
  }
  EXPECT_THAT(db_->ReadPost(300), StatusIs(StatusCode::kOutOfRange, HasSubstr("300")));
  EXPECT_THAT(db_->CreateTables(false),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("pinterest_data")));
  ASSERT_THAT(db_->CreateTables(true), IsOk());
  EXPECT_THAT(db_->RowCount(), IsOkAndHolds(0));
}

TEST_F(MysqlSourceTest, SameSeedGivesIdenticalRowsInSqliteAndMariaDb) {
  constexpr int kRows = 2000;
  const std::string path = ::testing::TempDir() + "pinpipe-mysql-compare.db";
  std::remove(path.c_str());
  auto sqlite = SqliteSource::Open(path);
  ASSERT_THAT(sqlite, IsOk());
  SeedOptions options;
  options.rows = kRows;
  options.chunk_rows = 1000;
  options.generator.seed = 11;
  ASSERT_THAT((*sqlite)->CreateTables(true), IsOk());
  ASSERT_THAT(db_->CreateTables(false), IsOk());
  ASSERT_THAT(Seed(**sqlite, options), IsOk());
  ASSERT_THAT(Seed(*db_, options), IsOk());
  for (int i = 0; i < kRows; ++i) {
    auto a = (*sqlite)->ReadPost(i);
    auto b = db_->ReadPost(i);
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    ASSERT_EQ(*a, *b) << "offset " << i;
  }
  std::remove(path.c_str());
}

TEST_F(MysqlSourceTest, ConnectionErrorsAreSpecific) {
  auto url = ParseMysqlUrl(url_);
  ASSERT_THAT(url, IsOk());
  MysqlUrl wrong_password = *url;
  wrong_password.password = "nope";
  EXPECT_THAT(MysqlSource::Open(wrong_password), StatusIs(StatusCode::kPermissionDenied));
  MysqlUrl missing_db = *url;
  missing_db.database = "no_such_database";
  EXPECT_THAT(MysqlSource::Open(missing_db),
              StatusIs(StatusCode::kNotFound, HasSubstr("no_such_database")));
  MysqlUrl closed_port = *url;
  closed_port.port = 1;  // nothing listens on tcpmux
  EXPECT_THAT(MysqlSource::Open(closed_port), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(db_->RowCount(), StatusIs(StatusCode::kNotFound, HasSubstr("pinterest_data")));
}

}  // namespace
}  // namespace pinpipe::source
