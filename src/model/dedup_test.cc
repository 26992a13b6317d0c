#include "model/dedup.h"

#include <gtest/gtest.h>

#include <limits>

namespace pinpipe::model {
namespace {

TEST(DedupByIndTest, FirstArrivalWins) {
  DedupByInd dedup;
  EXPECT_TRUE(dedup.FirstSeen(7528));
  EXPECT_FALSE(dedup.FirstSeen(7528));
  EXPECT_TRUE(dedup.FirstSeen(2863));
  EXPECT_FALSE(dedup.FirstSeen(7528));
  EXPECT_TRUE(dedup.FirstSeen(-1));
  EXPECT_TRUE(dedup.FirstSeen(0));
  EXPECT_FALSE(dedup.FirstSeen(0));
  EXPECT_EQ(dedup.size(), 4u);
  EXPECT_TRUE(dedup.Contains(2863));
  EXPECT_FALSE(dedup.Contains(5730));
  dedup.Clear();
  EXPECT_TRUE(dedup.FirstSeen(7528));
}

TEST(DedupByIndTest, FirstArrivalWinsAcrossGrowthAndExtremeKeys) {
  DedupByInd dedup;
  const int64_t extremes[] = {std::numeric_limits<int64_t>::min(), -1, 0,
                              std::numeric_limits<int64_t>::max()};
  for (int64_t k : extremes) EXPECT_TRUE(dedup.FirstSeen(k));
  for (int64_t k = 1; k < 100000; ++k) EXPECT_TRUE(dedup.FirstSeen(k * 1024)) << k;
  for (int64_t k : extremes) EXPECT_FALSE(dedup.FirstSeen(k));
  for (int64_t k = 1; k < 100000; ++k) EXPECT_FALSE(dedup.FirstSeen(k * 1024)) << k;
  EXPECT_TRUE(dedup.Contains(std::numeric_limits<int64_t>::min()));
  EXPECT_FALSE(dedup.Contains(3));
  EXPECT_EQ(dedup.size(), 100003u);
  dedup.Clear();
  EXPECT_EQ(dedup.size(), 0u);
  EXPECT_FALSE(dedup.Contains(std::numeric_limits<int64_t>::min()));
  EXPECT_TRUE(dedup.FirstSeen(std::numeric_limits<int64_t>::min()));
}

}  // namespace
}  // namespace pinpipe::model
