#include "source/generator.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "source/generator_vocab.h"

namespace pinpipe::source {
namespace {

using ::testing::ElementsAre;

constexpr int kRows = 20000;

// Parses "437", "26k", "6M"; -1 for "User Info Error".
int64_t Followers(const std::string& s) {
  if (s == kUserInfoError) return -1;
  const int64_t n = std::stoll(s);
  if (s.back() == 'k') return n * 1000;
  if (s.back() == 'M') return n * 1000000;
  return n;
}

int64_t Median(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Generator generator;
    posts_ = new std::vector<model::Post>(kRows);
    for (int i = 0; i < kRows; ++i) generator.Fill(i, &(*posts_)[i]);
  }
  static void TearDownTestSuite() { delete posts_; }
  static bool IsStory(const model::Post& p) { return *p.pin.title == kStoryTitle; }
  static std::vector<model::Post>* posts_;
};
std::vector<model::Post>* GeneratorTest::posts_ = nullptr;

TEST(GeneratorDeterminismTest, SameSeedSameRowsWhateverTheOrder) {
  const Generator a(GeneratorOptions{.seed = 42});
  const Generator b(GeneratorOptions{.seed = 42});
  model::Post reused;
  for (int64_t i = 999; i >= 0; --i) {
    b.Fill(i, &reused);
    ASSERT_EQ(a.Make(i), reused) << "offset " << i;
  }
  EXPECT_EQ(a.Make(123456789), b.Make(123456789));
}

TEST(GeneratorDeterminismTest, DifferentSeedsDiffer) {
  const Generator a(GeneratorOptions{.seed = 1});
  const Generator b(GeneratorOptions{.seed = 2});
  int same_uuid = 0;
  for (int i = 0; i < 100; ++i) same_uuid += a.Make(i).pin.unique_id == b.Make(i).pin.unique_id;
  EXPECT_EQ(same_uuid, 0);
}

TEST(GeneratorDeterminismTest, PinnedValuesForSeedOne) {
  // Guards against accidental changes to the stream: seeded databases must stay reproducible.
  const model::Post p = Generator().Make(1);
  EXPECT_EQ(*p.pin.unique_id, "9fc2aea2-9508-4f88-86f9-50d1ef9f1e4d");
  EXPECT_EQ(*p.pin.category, "vehicles");
  EXPECT_EQ(*p.geo.timestamp, "2021-01-18 03:27:32");
}

TEST(GeneratorDeterminismTest, OriginalSizeIsFast) {
  const auto start = std::chrono::steady_clock::now();
  const Generator generator;
  model::Post post;
  for (int i = 0; i < 11153; ++i) generator.Fill(i, &post);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0);
}

TEST(FormatTest, DateTime) {
  std::string s;
  FormatDateTime(0, &s);
  EXPECT_EQ(s, "1970-01-01 00:00:00");
  FormatDateTime(1598586767, &s);
  EXPECT_EQ(s, "2020-08-28 03:52:47");
  FormatDateTime(951782400, &s);  // leap day
  EXPECT_EQ(s, "2000-02-29 00:00:00");
}

TEST(FormatTest, FollowerCount) {
  std::string s;
  std::vector<std::string> out;
  for (int64_t n : {0, 437, 999, 1000, 26999, 892000, 1000000, 6400000}) {
    FormatFollowerCount(n, &s);
    out.push_back(s);
  }
  EXPECT_THAT(out, ElementsAre("0", "437", "999", "1k", "26k", "892k", "1M", "6M"));
}

TEST_F(GeneratorTest, KeysAreTheOffset) {
  for (int i = 0; i < kRows; ++i) {
    const model::Post& p = (*posts_)[i];
    ASSERT_EQ(p.pin.index, i);
    ASSERT_EQ(p.geo.ind, i);
    ASSERT_EQ(p.user.ind, i);
  }
}

TEST_F(GeneratorTest, ValueShapes) {
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const std::regex image(
      "https://i\\.pinimg\\.com/originals/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{2})/"
      "([0-9a-f]{32})\\.(jpg|png)");
  const std::regex followers("[0-9]{1,3}|[1-9][0-9]{0,2}k|[1-8]M|User Info Error");
  const std::regex datetime("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}");
  const auto categories = vocab::Categories();
  const std::set<std::string_view> countries(vocab::Countries().begin(), vocab::Countries().end());
  for (const model::Post& p : *posts_) {
    const model::RawPin& pin = p.pin;
    SCOPED_TRACE(pin.index);
    ASSERT_TRUE(std::regex_match(*pin.unique_id, uuid)) << *pin.unique_id;
    ASSERT_NE(std::find(categories.begin(), categories.end(), *pin.category), categories.end());
    ASSERT_EQ(*pin.save_location, "Local save in /data/" + *pin.category);
    ASSERT_TRUE(std::regex_match(*pin.follower_count, followers)) << *pin.follower_count;
    if (IsStory(p)) continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(*pin.image_src, m, image)) << *pin.image_src;
    ASSERT_EQ(m[1].str() + m[2].str() + m[3].str(), m[4].str().substr(0, 6));
    ASSERT_THAT(*pin.is_image_or_video, ::testing::AnyOf("image", "video"));
    ASSERT_EQ(pin.tag_list->find(", "), std::string::npos) << *pin.tag_list;
    ASSERT_EQ(pin.tag_list->find(",,"), std::string::npos) << *pin.tag_list;
    ASSERT_FALSE(pin.title->empty());

    const model::RawGeo& geo = p.geo;
    ASSERT_TRUE(std::regex_match(*geo.timestamp, datetime)) << *geo.timestamp;
    ASSERT_GE(*geo.timestamp, "2017-12-30 00:00:00");
    ASSERT_LE(*geo.timestamp, "2022-07-25 23:59:59");
    ASSERT_GE(*geo.latitude, -90.0);
    ASSERT_LE(*geo.latitude, 90.0);
    ASSERT_GE(*geo.longitude, -180.0);
    ASSERT_LE(*geo.longitude, 180.0);
    ASSERT_EQ(*geo.latitude, std::round(*geo.latitude * 1e4) / 1e4);  // 4 decimals at most
    ASSERT_TRUE(countries.contains(*geo.country)) << *geo.country;

    const model::RawUser& user = p.user;
    ASSERT_GE(*user.age, 20);
    ASSERT_LE(*user.age, 59);
    ASSERT_TRUE(std::regex_match(*user.date_joined, datetime));
    ASSERT_GE(*user.date_joined, "2015-01-01 00:00:00");
    ASSERT_LE(*user.date_joined, "2017-12-31 23:59:59");
  }
}

TEST_F(GeneratorTest, PlaceholdersComeTogetherInRealisticProportions) {
  int story = 0, no_description = 0, truncated = 0, unicode = 0, trailing = 0, video = 0;
  int follower_error = 0;
  std::set<std::string> long_countries;
  for (const model::Post& p : *posts_) {
    const model::RawPin& pin = p.pin;
    const std::string& desc = *pin.description;
    if (IsStory(p)) {
      ++story;
      EXPECT_EQ(desc, kStoryDescription);
      EXPECT_EQ(*pin.poster_name, kUserInfoError);
      EXPECT_EQ(*pin.follower_count, kUserInfoError);
      EXPECT_EQ(*pin.tag_list, kStoryTagList);
      EXPECT_EQ(*pin.is_image_or_video, kStoryMediaType);
      EXPECT_EQ(*pin.image_src, kImageSrcError);
      EXPECT_EQ(*pin.downloaded, 0);
      continue;
    }
    EXPECT_NE(*pin.is_image_or_video, kStoryMediaType);
    no_description += desc == kNoDescription;
    truncated += desc.ends_with(kTruncationSuffix);
    follower_error += *pin.follower_count == kUserInfoError;
    video += *pin.is_image_or_video == "video";
    const std::string& name = *pin.poster_name;
    unicode += std::any_of(name.begin(), name.end(), [](char c) { return c & 0x80; });
    trailing += name.ends_with(' ');
    if (p.geo.country->size() > 20) long_countries.insert(*p.geo.country);
  }
  EXPECT_GT(story, kRows * 0.015);
  EXPECT_LT(story, kRows * 0.05);
  EXPECT_GT(no_description, kRows * 0.005);
  EXPECT_LT(no_description, kRows * 0.03);
  EXPECT_GT(truncated, kRows * 0.15);
  EXPECT_LT(truncated, kRows * 0.45);
  EXPECT_GT(video, kRows * 0.03);
  EXPECT_GT(follower_error, 0);
  EXPECT_GT(unicode, kRows * 0.03);
  EXPECT_GT(trailing, kRows * 0.02);
  EXPECT_TRUE(long_countries.contains("Antarctica (the territory South of 60 deg S)"));
  EXPECT_TRUE(long_countries.contains("British Indian Ocean Territory (Chagos Archipelago)"));
}

TEST_F(GeneratorTest, UsersAndPlacesRepeatAcrossPosts) {
  std::map<std::tuple<std::string, std::string, std::string>, std::set<int64_t>> ages;
  std::map<std::tuple<std::string, std::string, std::string>, int> users;
  std::map<std::tuple<double, double, std::string>, int> places;
  for (const model::Post& p : *posts_) {
    const auto key = std::tuple(*p.user.first_name, *p.user.last_name, *p.user.date_joined);
    ++users[key];
    ages[key].insert(*p.user.age);
    ++places[std::tuple(*p.geo.latitude, *p.geo.longitude, *p.geo.country)];
  }
  int max_posts = 0;
  for (const auto& [key, n] : users) max_posts = std::max(max_posts, n);
  EXPECT_LT(users.size(), kRows / 3u);
  EXPECT_GE(max_posts, 10);
  for (const auto& [key, set] : ages) ASSERT_EQ(set.size(), 1u) << "one person, one age";
  int repeated_places = 0;
  for (const auto& [key, n] : places) repeated_places += n > 1;
  EXPECT_GT(repeated_places, 500);
}

int AgeGroup(int64_t age) { return age <= 24 ? 0 : age <= 35 ? 1 : age <= 50 ? 2 : 3; }

TEST_F(GeneratorTest, YoungerAndEarlierPostersHaveMoreFollowers) {
  std::vector<int64_t> by_age[4], by_year[3];
  for (const model::Post& p : *posts_) {
    const int64_t f = Followers(*p.pin.follower_count);
    if (f < 0) continue;
    by_age[AgeGroup(*p.user.age)].push_back(f);
    by_year[std::stoi(p.user.date_joined->substr(0, 4)) - 2015].push_back(f);
  }
  const int64_t m20 = Median(by_age[0]), m25 = Median(by_age[1]), m36 = Median(by_age[2]),
                m50 = Median(by_age[3]);
  EXPECT_GE(m20, 10000);
  EXPECT_LT(m20, 100000);
  EXPECT_GT(m20, m25);
  EXPECT_GT(m25, m36);
  EXPECT_GT(m36, m50);
  EXPECT_GE(m50, 1000);
  EXPECT_LE(m50, 5000);
  EXPECT_GT(Median(by_year[0]), Median(by_year[1]));
  EXPECT_GT(Median(by_year[1]), Median(by_year[2]));
}

TEST_F(GeneratorTest, CategoryMixDependsOnAgeAndCountry) {
  std::map<std::string, int> per_group[4];
  int group_total[4] = {};
  std::map<std::string, std::map<std::string, int>> per_country;
  for (const model::Post& p : *posts_) {
    const int g = AgeGroup(*p.user.age);
    ++per_group[g][*p.pin.category];
    ++group_total[g];
    ++per_country[*p.geo.country][*p.pin.category];
  }
  auto share = [&](int g, const char* c) { return double(per_group[g][c]) / group_total[g]; };
  EXPECT_GT(share(0, "tattoos"), 2 * share(3, "tattoos"));
  EXPECT_GT(share(3, "home-decor"), 1.5 * share(0, "home-decor"));
  // Across countries with enough posts, some category's share varies at least threefold.
  double max_ratio = 0;
  for (const auto& category : vocab::Categories()) {
    double lo = 1, hi = 0;
    for (const auto& [country, counts] : per_country) {
      int total = 0;
      for (const auto& [c, n] : counts) total += n;
      if (total < 120) continue;
      const auto it = counts.find(std::string(category));
      const double s = it == counts.end() ? 0 : double(it->second) / total;
      lo = std::min(lo, s);
      hi = std::max(hi, s);
    }
    if (lo > 0) max_ratio = std::max(max_ratio, hi / lo);
  }
  EXPECT_GT(max_ratio, 3.0);
}

}  // namespace
}  // namespace pinpipe::source
