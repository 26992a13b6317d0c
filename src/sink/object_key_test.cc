#include "sink/object_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "objstore/object_store.h"
#include "base/status_matchers.h"

namespace pinpipe::sink {
namespace {

using ::pinpipe::testing::IsOk;
using ::testing::Optional;
using ::testing::FieldsAre;

TEST(ObjectKeyTest, IsTheConfluentLayout) {
  // The quickstart keys of kafka-connect-s3 with flush.size=3, and the original's topics.
  EXPECT_EQ(ObjectKey("s3_topic", 0, 3), "topics/s3_topic/partition=0/s3_topic+0+0000000003.json");
  EXPECT_EQ(ObjectKey("0a1b2c3d4e5f.pin", 2, 1234567),
            "topics/0a1b2c3d4e5f.pin/partition=2/0a1b2c3d4e5f.pin+2+0001234567.json");
  EXPECT_EQ(ObjectKey("t", 0, 12345678901), "topics/t/partition=0/t+0+12345678901.json");
  EXPECT_EQ(PartitionPrefix("t", 11), "topics/t/partition=11/");
  EXPECT_THAT(objstore::ValidateKey(ObjectKey("a-b_c.d", 0, 0)), IsOk());
}

TEST(ObjectKeyTest, KeysOfAPartitionSortInOffsetOrder) {
  EXPECT_LT(ObjectKey("t", 0, 999), ObjectKey("t", 0, 1000));
  EXPECT_LT(ObjectKey("t", 0, 9), ObjectKey("t", 0, 10));
  EXPECT_LT(ObjectKey("t", 0, 999999999), ObjectKey("t", 0, 9999999999));
  // As with Confluent's "%010d": past 10 digits, byte order is no longer offset order.
  EXPECT_GT(ObjectKey("t", 0, 9999999999), ObjectKey("t", 0, 10000000000));
}

TEST(ObjectKeyTest, ParsesWhatItMakesAndNothingElse) {
  EXPECT_THAT(ParseObjectKey(ObjectKey("u.pin", 3, 42)),
              Optional(FieldsAre("u.pin", 3, 42)));
  EXPECT_THAT(ParseObjectKey(ObjectKey("t", 0, 12345678901)),
              Optional(FieldsAre("t", 0, 12345678901)));
  for (const char* bad : {"topics/t/partition=0/t+0+42.json",          // not padded
                          "topics/t/partition=0/t+1+0000000042.json",  // partition mismatch
                          "topics/t/partition=0/u+0+0000000042.json",  // topic mismatch
                          "topics/t/partition=0/t+0+0000000042.avro",
                          "topics/t/partition=x/t+0+0000000042.json",
                          "other/t/partition=0/t+0+0000000042.json",
                          "topics/t/partition=0/t+0+-000000042.json", "topics/t"}) {
    EXPECT_EQ(ParseObjectKey(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace pinpipe::sink
