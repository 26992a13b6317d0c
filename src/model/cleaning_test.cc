#include "model/cleaning.h"

#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/datetime.h"

namespace pinpipe::model {
namespace {

using ::testing::Optional;

// The story-placeholder row of source-data.md (index 7528).
RawPin StoryPin() {
  RawPin p;
  p.index = 7528;
  p.unique_id = "fbe53c66-3442-4773-b19e-d3ec6f54dddf";
  p.title = "No Title Data Available";
  p.description = "No description available Story format";
  p.poster_name = "User Info Error";
  p.follower_count = "User Info Error";
  p.tag_list = "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e";
  p.is_image_or_video = "multi-video(story page format)";
  p.image_src = "Image src error.";
  p.downloaded = 0;
  p.save_location = "Local save in /data/mens-fashion";
  p.category = "mens-fashion";
  return p;
}

TEST(ParseFollowerCountTest, EveryForm) {
  EXPECT_THAT(ParseFollowerCount("437"), Optional(437));
  EXPECT_THAT(ParseFollowerCount("26k"), Optional(26000));
  EXPECT_THAT(ParseFollowerCount("26K"), Optional(26000));
  EXPECT_THAT(ParseFollowerCount("1.5k"), Optional(1500));
  EXPECT_THAT(ParseFollowerCount("6M"), Optional(6000000));
  EXPECT_THAT(ParseFollowerCount("6m"), Optional(6000000));
  EXPECT_THAT(ParseFollowerCount("2B"), Optional(2000000000));
  EXPECT_THAT(ParseFollowerCount("1,234"), Optional(1234));
  EXPECT_THAT(ParseFollowerCount("1,234,567"), Optional(1234567));
  EXPECT_THAT(ParseFollowerCount(" 12k "), Optional(12000));
  EXPECT_THAT(ParseFollowerCount("0"), Optional(0));
  EXPECT_THAT(ParseFollowerCount("1.2345k"), Optional(1234));  // truncated
  EXPECT_THAT(ParseFollowerCount("9223372036854775807"),
              Optional(std::numeric_limits<int64_t>::max()));
}

TEST(ParseFollowerCountTest, UnparseableIsNullopt) {
  for (const char* s :
       {"User Info Error", "abc", "", "   ", "k", "12kk", "-5", "+5", "1.", ".5k", "1,", ",1",
        "1,,2", "12 k", "1e3", "9223372036854775808", "10B0", "99999999999B"}) {
    EXPECT_EQ(ParseFollowerCount(s), std::nullopt) << "'" << s << "'";
  }
}

TEST(StringRulesTest, BlankAndPlaceholders) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\r\n"));
  EXPECT_FALSE(IsBlank(" x "));
  EXPECT_FALSE(IsBlank("\xC2\xA0"));  // a no-break space is content, not ASCII whitespace
  EXPECT_TRUE(IsPinPlaceholder("title", "No Title Data Available"));
  EXPECT_TRUE(IsPinPlaceholder("description", "No description available Story format"));
  EXPECT_TRUE(IsPinPlaceholder("description", "No description available"));
  EXPECT_TRUE(IsPinPlaceholder("poster_name", "User Info Error"));
  EXPECT_TRUE(IsPinPlaceholder("follower_count", "User Info Error"));
  EXPECT_TRUE(IsPinPlaceholder("tag_list", "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"));
  EXPECT_TRUE(IsPinPlaceholder("image_src", "Image src error."));
  // Whole value, exact case, right column only.
  EXPECT_FALSE(IsPinPlaceholder("title", "No Title Data Available "));
  EXPECT_FALSE(IsPinPlaceholder("title", "no title data available"));
  EXPECT_FALSE(IsPinPlaceholder("description", "No description available Story format!"));
  EXPECT_FALSE(IsPinPlaceholder("title", "User Info Error"));
  EXPECT_FALSE(IsPinPlaceholder("category", "Image src error."));
}

TEST(StringRulesTest, SaveLocation) {
  EXPECT_EQ(StripSaveLocation("Local save in /data/finance"), "/data/finance");
  EXPECT_EQ(StripSaveLocation("/data/finance"), "/data/finance");
  EXPECT_EQ(StripSaveLocation("Local save in "), "");
}

TEST(CleanPinTest, StoryRowBecomesNulls) {
  QualityCounters q(Table::kPin);
  CleanPin c = Clean(StoryPin(), &q);
  CleanPin want;
  want.ind = 7528;
  want.unique_id = "fbe53c66-3442-4773-b19e-d3ec6f54dddf";
  want.is_image_or_video = "multi-video(story page format)";
  want.save_location = "/data/mens-fashion";
  want.category = "mens-fashion";
  EXPECT_EQ(c, want);
  for (const char* col :
       {"title", "description", "poster_name", "follower_count", "tag_list", "image_src"}) {
    EXPECT_EQ(q.column(col), (ColumnQuality{1, 0, 0})) << col;
  }
  EXPECT_EQ(q.column("save_location"), (ColumnQuality{0, 1, 0}));
  EXPECT_EQ(q.column("unique_id"), (ColumnQuality{}));
  EXPECT_EQ(q.column("category"), (ColumnQuality{}));
}

TEST(CleanPinTest, KafkaExampleRow) {
  RawPin p;
  p.index = 10794;
  p.unique_id = "c4bd2577-a7bb-4409-bb7a-17d5ed7e1cf1";
  p.title = "TireBuyer";
  p.description = "Nissan GT-R. Sick.";
  p.poster_name = "Ray Uyemura";
  p.follower_count = "437";
  p.tag_list = "Lowrider,Old Vintage Cars";
  p.is_image_or_video = "image";
  p.image_src = "https://i.pinimg.com/originals/0d/29/9f/0d299f3df020395aa7ce8387f40fbeed.jpg";
  p.downloaded = 1;
  p.save_location = "Local save in /data/vehicles";
  p.category = "vehicles";
  QualityCounters q(Table::kPin);
  CleanPin c = Clean(p, &q);
  EXPECT_EQ(c.ind, 10794);
  EXPECT_EQ(c.title, "TireBuyer");
  EXPECT_EQ(c.description, "Nissan GT-R. Sick.");
  EXPECT_EQ(c.follower_count, 437);
  EXPECT_EQ(c.poster_name, "Ray Uyemura");
  EXPECT_EQ(c.tag_list, "Lowrider,Old Vintage Cars");
  EXPECT_EQ(c.save_location, "/data/vehicles");
  EXPECT_EQ(c.category, "vehicles");
  EXPECT_EQ(q.column("follower_count"), (ColumnQuality{0, 1, 0}));
}

TEST(CleanPinTest, DescriptionAlonePlaceholder) {
  RawPin p;
  p.description = "No description available";
  p.title = "Real title";
  EXPECT_EQ(Clean(p, nullptr).description, std::nullopt);
  EXPECT_EQ(Clean(p, nullptr).title, "Real title");
}

TEST(CleanPinTest, BlankStringsBecomeNullInEveryStringColumn) {
  RawPin p;
  p.unique_id = "";
  p.title = " ";
  p.description = "\t";
  p.poster_name = "  \n";
  p.follower_count = "";
  p.tag_list = " ";
  p.is_image_or_video = "";
  p.image_src = " ";
  p.save_location = "   ";
  p.category = "";
  QualityCounters q(Table::kPin);
  CleanPin c = Clean(p, &q);
  EXPECT_EQ(c, CleanPin{});
  for (const auto& [name, counts] : q.columns()) {
    if (name == "ind") continue;
    EXPECT_EQ(counts, (ColumnQuality{1, 0, 0})) << name;
  }
}

TEST(CleanPinTest, KeepsUnicodeAndTrailingSpaces) {
  RawPin p;
  p.poster_name = "Zo\xC3\xAB Ch\xC3\xA1vez  ";
  p.description = "Ends with an ellipsis\xE2\x80\xA6\xC2\xA0";
  p.title = " leading space";
  CleanPin c = Clean(p, nullptr);
  EXPECT_EQ(c.poster_name, "Zo\xC3\xAB Ch\xC3\xA1vez  ");
  EXPECT_EQ(c.description, "Ends with an ellipsis\xE2\x80\xA6\xC2\xA0");
  EXPECT_EQ(c.title, " leading space");
}

TEST(CleanPinTest, FollowerCountRejectedAndConverted) {
  QualityCounters q(Table::kPin);
  RawPin p;
  p.follower_count = "abc";
  EXPECT_EQ(Clean(p, &q).follower_count, std::nullopt);
  p.follower_count = " 12k ";
  EXPECT_EQ(Clean(p, &q).follower_count, 12000);
  p.follower_count = std::nullopt;  // absent: nothing to count
  EXPECT_EQ(Clean(p, &q).follower_count, std::nullopt);
  EXPECT_EQ(q.column("follower_count"), (ColumnQuality{0, 1, 1}));
}

TEST(CleanPinTest, SaveLocationWithoutPrefixIsKept) {
  QualityCounters q(Table::kPin);
  RawPin p;
  p.save_location = "/data/art";
  EXPECT_EQ(Clean(p, &q).save_location, "/data/art");
  p.save_location = "Local save in ";
  EXPECT_EQ(Clean(p, &q).save_location, std::nullopt);
  EXPECT_EQ(q.column("save_location"), (ColumnQuality{1, 0, 0}));
}

TEST(CleanGeoTest, ExampleRow) {
  RawGeo g{7528, "2020-08-28 03:52:47", -89.9787, -173.293, "Albania"};
  QualityCounters q(Table::kGeo);
  CleanGeo c = Clean(g, &q);
  EXPECT_EQ(c.ind, 7528);
  EXPECT_EQ(c.country, "Albania");
  EXPECT_EQ(c.coordinates, (std::array<double, 2>{-89.9787, -173.293}));
  EXPECT_EQ(c.timestamp, ParseTimestamp("2020-08-28T03:52:47Z").value());
  EXPECT_EQ(q.column("timestamp"), (ColumnQuality{0, 1, 0}));
}

TEST(CleanGeoTest, BothTimestampFormsAgree) {
  RawGeo a{1, "2022-01-01 02:26:50", 1, 2, "X"};
  RawGeo b{1, "2022-01-01T02:26:50", 1, 2, "X"};
  EXPECT_EQ(Clean(a, nullptr), Clean(b, nullptr));
}

TEST(CleanGeoTest, BadTimestampHalfCoordinatesBlankCountry) {
  QualityCounters q(Table::kGeo);
  RawGeo g{5, "yesterday", -1.5, std::nullopt, " "};
  CleanGeo c = Clean(g, &q);
  EXPECT_EQ(c, (CleanGeo{5, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(q.column("timestamp"), (ColumnQuality{0, 0, 1}));
  EXPECT_EQ(q.column("coordinates"), (ColumnQuality{1, 0, 0}));
  EXPECT_EQ(q.column("country"), (ColumnQuality{1, 0, 0}));
  g.timestamp = "";
  Clean(g, &q);
  EXPECT_EQ(q.column("timestamp"), (ColumnQuality{1, 0, 1}));
}

TEST(CleanUserTest, ExampleRow) {
  RawUser u{7528, "Abigail", "Ali", 20, "2015-10-24 11:23:51"};
  QualityCounters q(Table::kUser);
  CleanUser c = Clean(u, &q);
  EXPECT_EQ(c.ind, 7528);
  EXPECT_EQ(c.user_name, "Abigail Ali");
  EXPECT_EQ(c.age, 20);
  EXPECT_EQ(c.date_joined, ParseTimestamp("2015-10-24T11:23:51Z").value());
  EXPECT_EQ(q.column("date_joined"), (ColumnQuality{0, 1, 0}));
}

TEST(CleanUserTest, NameConcatKeepsSpacesAndUnicode) {
  RawUser u{1,
            "Ren\xC3\xA9"
            "e ",
            "O'Brien", 30, std::nullopt};
  EXPECT_EQ(Clean(u, nullptr).user_name,
            "Ren\xC3\xA9"
            "e  O'Brien");
}

TEST(CleanUserTest, NameIsNullIfEitherPartIsNull) {
  QualityCounters q(Table::kUser);
  EXPECT_EQ(Clean(RawUser{1, "Abigail", std::nullopt, 20, std::nullopt}, &q).user_name,
            std::nullopt);
  EXPECT_EQ(Clean(RawUser{1, std::nullopt, "Ali", 20, std::nullopt}, &q).user_name, std::nullopt);
  EXPECT_EQ(Clean(RawUser{1, " ", "Ali", 20, std::nullopt}, &q).user_name, std::nullopt);
  EXPECT_EQ(Clean(RawUser{1, std::nullopt, std::nullopt, 20, std::nullopt}, &q).user_name,
            std::nullopt);
  EXPECT_EQ(q.column("user_name"), (ColumnQuality{3, 0, 0}));
}

TEST(CleanUserTest, AgeMustFitInt32) {
  QualityCounters q(Table::kUser);
  EXPECT_EQ(Clean(RawUser{1, "a", "b", 59, std::nullopt}, &q).age, 59);
  EXPECT_EQ(Clean(RawUser{1, "a", "b", 1LL << 40, std::nullopt}, &q).age, std::nullopt);
  EXPECT_EQ(q.column("age"), (ColumnQuality{0, 0, 1}));
}

TEST(CleanUserTest, IsoJoinDateWithZone) {
  RawUser u{1, "a", "b", 20, "2016-12-22T02:02:02+02:00"};
  EXPECT_EQ(Clean(u, nullptr).date_joined, ParseTimestamp("2016-12-22 00:02:02").value());
}

}  // namespace
}  // namespace pinpipe::model
