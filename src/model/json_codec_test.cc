#include "model/json_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "base/status_matchers.h"

namespace pinpipe::model {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

// The Python-dict example of source-data.md as json.dumps(row, default=str) sends it.
constexpr std::string_view kPyPin =
    R"j({"index": 7528, "unique_id": "fbe53c66-3442-4773-b19e-d3ec6f54dddf", "title": "No Title Data Available", "description": "No description available Story format", "poster_name": "User Info Error", "follower_count": "User Info Error", "tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", "is_image_or_video": "multi-video(story page format)", "image_src": "Image src error.", "downloaded": 0, "save_location": "Local save in /data/mens-fashion", "category": "mens-fashion"})j";
constexpr std::string_view kPyGeo =
    R"({"ind": 7528, "timestamp": "2020-08-28 03:52:47", "latitude": -89.9787, "longitude": -173.293, "country": "Albania"})";
constexpr std::string_view kPyUser =
    R"({"ind": 7528, "first_name": "Abigail", "last_name": "Ali", "age": 20, "date_joined": "2015-10-24 11:23:51"})";
// The Kafka JSON example (note the geo member order differs from the source order).
constexpr std::string_view kKafkaGeo =
    R"({"ind": 10794, "latitude": -89.5236, "longitude": -154.567, "country": "Cocos (Keeling) Islands", "timestamp": "2022-01-01 02:26:50"})";

TEST(SimdjsonTest, UsesASimdKernel) {
  EXPECT_NE(simdjson::get_active_implementation()->name(), "fallback");
}

TEST(DecodeTest, PythonExampleRowsRoundTripByteForByte) {
  Result<RawPin> pin = DecodeRawPin(kPyPin);
  ASSERT_THAT(pin, IsOk());
  EXPECT_EQ(pin->index, 7528);
  EXPECT_EQ(pin->title, "No Title Data Available");
  EXPECT_EQ(pin->downloaded, 0);
  EXPECT_EQ(pin->category, "mens-fashion");
  EXPECT_EQ(EncodeRawJson(*pin), kPyPin);

  Result<RawGeo> geo = DecodeRawGeo(kPyGeo);
  ASSERT_THAT(geo, IsOk());
  EXPECT_EQ(*geo, (RawGeo{7528, "2020-08-28 03:52:47", -89.9787, -173.293, "Albania"}));
  EXPECT_EQ(EncodeRawJson(*geo), kPyGeo);

  Result<RawUser> user = DecodeRawUser(kPyUser);
  ASSERT_THAT(user, IsOk());
  EXPECT_EQ(*user, (RawUser{7528, "Abigail", "Ali", 20, "2015-10-24 11:23:51"}));
  EXPECT_EQ(EncodeRawJson(*user), kPyUser);
}

TEST(DecodeTest, KafkaGeoInAnyMemberOrder) {
  Result<RawGeo> geo = DecodeRawGeo(kKafkaGeo);
  ASSERT_THAT(geo, IsOk());
  EXPECT_EQ(*geo,
            (RawGeo{10794, "2022-01-01 02:26:50", -89.5236, -154.567, "Cocos (Keeling) Islands"}));
}

TEST(DecodeTest, IndOrIndexInAnyTable) {
  EXPECT_EQ(DecodeRawPin(R"({"ind": 5})")->index, 5);
  EXPECT_EQ(DecodeRawGeo(R"({"index": 6})")->ind, 6);
  EXPECT_EQ(DecodeRawUser(R"({"index": 7, "ind": 7})")->ind, 7);
  EXPECT_THAT(DecodeRawUser(R"({"index": 7, "ind": 8})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("disagree")));
}

TEST(DecodeTest, NumbersAsStringsAndStringsAsNumbers) {
  Result<RawUser> u = DecodeRawUser(R"({"ind": "26", "age": "34", "first_name": 12})");
  ASSERT_THAT(u, IsOk());
  EXPECT_EQ(u->ind, 26);
  EXPECT_EQ(u->age, 34);
  EXPECT_EQ(u->first_name, "12");
  Result<RawGeo> g = DecodeRawGeo(R"({"ind": 1.0, "latitude": "-89.97", "longitude": " 12 "})");
  ASSERT_THAT(g, IsOk());
  EXPECT_EQ(g->ind, 1);
  EXPECT_EQ(g->latitude, -89.97);
  EXPECT_EQ(g->longitude, 12.0);
  Result<RawPin> p = DecodeRawPin(R"({"index": 2, "follower_count": 437, "downloaded": "1"})");
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->follower_count, "437");
  EXPECT_EQ(p->downloaded, 1);
}

TEST(DecodeTest, IsoDatetimesKeptAsSent) {
  Result<RawGeo> g = DecodeRawGeo(R"({"ind": 1, "timestamp": "2020-08-28T03:52:47"})");
  ASSERT_THAT(g, IsOk());
  EXPECT_EQ(g->timestamp, "2020-08-28T03:52:47");
}

TEST(DecodeTest, NullAbsentAndUnknownFields) {
  Result<RawUser> u =
      DecodeRawUser(R"({"ind": 3, "first_name": null, "extra": {"a": [1, 2]}, "age": null})");
  ASSERT_THAT(u, IsOk());
  EXPECT_EQ(*u, (RawUser{3, std::nullopt, std::nullopt, std::nullopt, std::nullopt}));
}

TEST(DecodeTest, UnconvertibleValueBecomesNullAndIsCounted) {
  QualityCounters q(Table::kUser);
  Result<RawUser> u = DecodeRawUser(R"({"ind": 3, "age": "abc", "last_name": [1]})", &q);
  ASSERT_THAT(u, IsOk());
  EXPECT_EQ(u->age, std::nullopt);
  EXPECT_EQ(u->last_name, std::nullopt);
  EXPECT_EQ(q.column("age").rejected, 1);
  EXPECT_EQ(q.column("user_name").rejected, 1);
  QualityCounters gq(Table::kGeo);
  ASSERT_THAT(DecodeRawGeo(R"({"ind": 3, "latitude": "north", "longitude": true})", &gq), IsOk());
  EXPECT_EQ(gq.column("coordinates").rejected, 2);
}

TEST(DecodeTest, RefusesWhatIsNotARecord) {
  EXPECT_THAT(DecodeRawPin("{\"index\": 1,"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
  EXPECT_THAT(DecodeRawPin("{'index': 1}"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
  EXPECT_THAT(DecodeRawPin("{\"index\": 1} x"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid JSON")));
  EXPECT_THAT(DecodeRawPin("[1, 2]"), StatusIs(StatusCode::kInvalidArgument,
                                               HasSubstr("not a JSON object (it is an array)")));
  EXPECT_THAT(DecodeRawGeo("\"text\""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
  EXPECT_THAT(DecodeRawPin(R"({"title": "x"})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("missing key 'index' (or 'ind')")));
  EXPECT_THAT(DecodeRawGeo(R"({})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("missing key 'ind' (or 'index')")));
  EXPECT_THAT(DecodeRawUser(R"({"ind": null})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("key 'ind' is null")));
  EXPECT_THAT(DecodeRawUser(R"({"ind": "seven"})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("key 'ind' is not an integer")));
  EXPECT_THAT(DecodeRawUser(R"({"ind": 1.5})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not an integer")));
  EXPECT_THAT(DecodeRawUser(R"({"ind": 18446744073709551615})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not an integer")));
}

TEST(DecodeTest, DecoderIsReusable) {
  RecordDecoder d;
  EXPECT_THAT(d.DecodeGeo("{bad"), StatusIs(StatusCode::kInvalidArgument));
  for (int i = 0; i < 3; ++i) {
    Result<RawGeo> g = d.DecodeGeo(kKafkaGeo);
    ASSERT_THAT(g, IsOk());
    EXPECT_EQ(g->ind, 10794);
  }
}

TEST(EncodeRawTest, PythonStyleNormalizesDatetimesAndEscapes) {
  RawUser u{3, "Zo\xC3\xAB\xE2\x80\xA6\xC2\xA0", std::nullopt, 20, "2015-10-24T11:23:51.12"};
  EXPECT_EQ(EncodeRawJson(u),
            R"({"ind": 3, "first_name": "Zo\u00eb\u2026\u00a0", "last_name": null, "age": 20, )"
            R"("date_joined": "2015-10-24 11:23:51.120000"})");
  u.date_joined = "not a date";
  EXPECT_THAT(EncodeRawJson(u), HasSubstr(R"("date_joined": "not a date")"));
}

TEST(EncodeRawTest, CompactStyleKeepsTextAsHeld) {
  RawGeo g{1, "2020-08-28T03:52:47", 1.0, std::nullopt, "C\xC3\xB4te d'Ivoire"};
  EXPECT_EQ(EncodeRawJson(g, JsonStyle::kCompact),
            "{\"ind\":1,\"timestamp\":\"2020-08-28T03:52:47\",\"latitude\":1.0,"
            "\"longitude\":null,\"country\":\"C\xC3\xB4te d'Ivoire\"}");
}

TEST(EncodeCleanTest, AllThreeTables) {
  CleanPin p;
  p.ind = 7528;
  p.unique_id = "u";
  p.follower_count = 26000;
  p.save_location = "/data/art";
  EXPECT_EQ(EncodeCleanJson(p),
            R"({"ind":7528,"unique_id":"u","title":null,"description":null,"follower_count":26000,)"
            R"("poster_name":null,"tag_list":null,"is_image_or_video":null,"image_src":null,)"
            R"("save_location":"/data/art","category":null})");
  CleanGeo g{7528, "Albania", std::array<double, 2>{-89.9787, -173.293}, 1598586767000000};
  EXPECT_EQ(EncodeCleanJson(g),
            R"({"ind":7528,"country":"Albania","coordinates":[-89.9787,-173.293],)"
            R"("timestamp":"2020-08-28T03:52:47Z"})");
  CleanGeo empty{1, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(EncodeCleanJson(empty),
            R"({"ind":1,"country":null,"coordinates":null,"timestamp":null})");
  CleanUser u{7528, "Abigail Ali", 20, 1445685831000001};
  EXPECT_EQ(EncodeCleanJson(u), R"({"ind":7528,"user_name":"Abigail Ali","age":20,)"
                                R"("date_joined":"2015-10-24T11:23:51.000001Z"})");
}

}  // namespace
}  // namespace pinpipe::model
