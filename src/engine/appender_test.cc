#include "engine/appender.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "base/status_matchers.h"

namespace pinpipe::engine {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;

std::unique_ptr<Session> OpenSession() {
  auto session = Session::Open({.threads = 1, .memory_limit = "", .scratch_parent = ""});
  EXPECT_THAT(session, IsOk());
  return std::move(session).value();
}

std::optional<std::string> Str(const Value& v) {
  if (v.is_null()) return std::nullopt;
  return v.s;
}
std::optional<int64_t> Int(const Value& v) {
  if (v.is_null()) return std::nullopt;
  return v.i;
}

std::vector<model::CleanPin> MakePins(int n) {
  std::vector<model::CleanPin> pins;
  for (int k = 0; k < n; ++k) {
    model::CleanPin p;
    p.ind = 1000 + k;
    p.unique_id = "uid-" + std::to_string(k);
    if (k % 3 != 0) p.title = std::string(k % 40, 'x') + "title é " + std::to_string(k);
    if (k % 5 != 0) p.follower_count = int64_t{k} * 1000;
    p.poster_name = k % 7 == 0 ? std::nullopt : std::optional<std::string>("poster");
    p.save_location = "/data/finance";
    p.category = "finance";
    pins.push_back(p);
  }
  return pins;
}

TEST(AppenderTest, PinsRoundTripAcrossSeveralChunks) {
  auto session = OpenSession();
  ASSERT_THAT(CreateCleanTable(*session, "pins", model::Table::kPin), IsOk());
  std::vector<model::CleanPin> pins = MakePins(5000);  // > 2 chunks of 2048
  ASSERT_THAT(AppendRows(*session, "pins", pins), IsOk());
  auto result = session->Query("SELECT * FROM pins ORDER BY ind");
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->rows.size(), pins.size());
  ASSERT_EQ(result->columns.size(), 11u);
  EXPECT_EQ(result->columns[4].name, "follower_count");
  for (size_t k = 0; k < pins.size(); ++k) {
    const auto& row = result->rows[k];
    model::CleanPin got;
    got.ind = row[0].i;
    got.unique_id = Str(row[1]);
    got.title = Str(row[2]);
    got.description = Str(row[3]);
    got.follower_count = Int(row[4]);
    got.poster_name = Str(row[5]);
    got.tag_list = Str(row[6]);
    got.is_image_or_video = Str(row[7]);
    got.image_src = Str(row[8]);
    got.save_location = Str(row[9]);
    got.category = Str(row[10]);
    ASSERT_EQ(got, pins[k]) << "row " << k;
  }
}

TEST(AppenderTest, GeoAndUserRoundTrip) {
  auto session = OpenSession();
  ASSERT_THAT(CreateCleanTable(*session, "geo", model::Table::kGeo), IsOk());
  ASSERT_THAT(CreateCleanTable(*session, "usr", model::Table::kUser), IsOk());
  std::vector<model::CleanGeo> geos;
  std::vector<model::CleanUser> users;
  for (int k = 0; k < 3000; ++k) {
    model::CleanGeo g;
    g.ind = k;
    if (k % 4 != 0) g.coordinates = std::array<double, 2>{-89.9787 + k, -173.293 - k};
    if (k % 6 != 0) g.timestamp = 1598586767000000 + int64_t{k} * 1000001;
    g.country = k % 2 == 0 ? "Albania" : "Côte d'Ivoire";
    geos.push_back(g);
    model::CleanUser u;
    u.ind = k;
    u.user_name = "User " + std::to_string(k);
    if (k % 9 != 0) u.age = 20 + k % 40;
    u.date_joined = 1445685831000000 + int64_t{k};
    users.push_back(u);
  }
  ASSERT_THAT(AppendRows(*session, "geo", geos), IsOk());
  ASSERT_THAT(AppendRows(*session, "usr", users), IsOk());

  auto g = session->Query("SELECT ind, country, coordinates, timestamp FROM geo ORDER BY ind");
  ASSERT_THAT(g, IsOk());
  ASSERT_EQ(g->rows.size(), geos.size());
  EXPECT_TRUE(g->columns[3].type.with_time_zone);
  for (size_t k = 0; k < geos.size(); ++k) {
    const auto& row = g->rows[k];
    model::CleanGeo got;
    got.ind = row[0].i;
    got.country = Str(row[1]);
    if (!row[2].is_null()) {
      ASSERT_EQ(row[2].list.size(), 2u);
      got.coordinates = std::array<double, 2>{row[2].list[0].d, row[2].list[1].d};
    }
    got.timestamp = Int(row[3]);
    ASSERT_EQ(got, geos[k]) << "row " << k;
  }
  auto u = session->Query("SELECT ind, user_name, age, date_joined FROM usr ORDER BY ind");
  ASSERT_THAT(u, IsOk());
  ASSERT_EQ(u->rows.size(), users.size());
  for (size_t k = 0; k < users.size(); ++k) {
    const auto& row = u->rows[k];
    model::CleanUser got;
    got.ind = row[0].i;
    got.user_name = Str(row[1]);
    if (!row[2].is_null()) got.age = static_cast<int32_t>(row[2].i);
    got.date_joined = Int(row[3]);
    ASSERT_EQ(got, users[k]) << "row " << k;
  }
}

TEST(AppenderTest, RefusesATableWithOtherColumns) {
  auto session = OpenSession();
  ASSERT_THAT(session->Execute("CREATE TABLE other (a BIGINT)"), IsOk());
  std::vector<model::CleanUser> users(1);
  EXPECT_THAT(AppendRows(*session, "other", users), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AppendRows(*session, "missing", users), StatusIs(StatusCode::kNotFound));
}

TEST(AppenderTest, EmptyAppendIsANoOp) {
  auto session = OpenSession();
  ASSERT_THAT(CreateCleanTable(*session, "usr", model::Table::kUser), IsOk());
  ASSERT_THAT(AppendRows(*session, "usr", std::span<const model::CleanUser>()), IsOk());
  auto r = session->Query("SELECT count(*) FROM usr");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->rows[0][0], Value::Int(0));
}

}  // namespace
}  // namespace pinpipe::engine
