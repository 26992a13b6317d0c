#include "base/uuid.h"

#include <gtest/gtest.h>

namespace pinpipe {
namespace {

TEST(FormatUuidV4Test, SetsVersionAndVariantAndKeepsTheOtherBits) {
  EXPECT_EQ(FormatUuidV4(0, 0), "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(FormatUuidV4(~0ULL, ~0ULL), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  EXPECT_EQ(FormatUuidV4(0x3ba138722d47fe17ULL, 0x06a021afd2a22395ULL),
            "3ba13872-2d47-4e17-86a0-21afd2a22395");
}

}  // namespace
}  // namespace pinpipe
