#include "base/base64.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "base/status_matchers.h"

namespace pinpipe {
namespace {

using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_THAT(Base64Decode(encoded), IsOkAndHolds(std::string(plain)));
  }
}

TEST(Base64Test, RoundTripsArbitraryBytes) {
  std::mt19937 rng(7);
  for (int n = 0; n < 200; n++) {
    std::string bytes(static_cast<size_t>(n), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    EXPECT_THAT(Base64Decode(Base64Encode(bytes)), IsOkAndHolds(bytes));
  }
}

TEST(Base64Test, RejectsMalformedInput) {
  EXPECT_THAT(Base64Decode("Zm9"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("multiple of 4")));
  EXPECT_THAT(Base64Decode("Zm9v!A=="), StatusIs(StatusCode::kInvalidArgument, HasSubstr("position 4")));
  EXPECT_THAT(Base64Decode("Zg==Zg=="), StatusIs(StatusCode::kInvalidArgument, HasSubstr("position 2")));
  EXPECT_THAT(Base64Decode("Z==="), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Base64Decode("Zm 9"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pinpipe
