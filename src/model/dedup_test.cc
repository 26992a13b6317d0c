#include "model/dedup.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace pinpipe::model
