#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace pinpipe::crc32c {
namespace internal {
uint32_t ExtendPortableForTest(uint32_t crc, const char* data, size_t n);
}
namespace {

// RFC 3720, B.4 "CRC Examples".
TEST(Crc32cTest, Rfc3720Vectors) {
  std::string buf(32, '\0');
  EXPECT_EQ(Value(buf), 0x8a9136aau);
  buf.assign(32, '\xff');
  EXPECT_EQ(Value(buf), 0x62a8ab43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(i);
  EXPECT_EQ(Value(buf), 0x46dd794eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<char>(31 - i);
  EXPECT_EQ(Value(buf), 0x113fdb5cu);
  const unsigned char iscsi_read[48] = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(Value(reinterpret_cast<const char*>(iscsi_read), 48), 0xd9963a56u);
}

TEST(Crc32cTest, KnownString) { EXPECT_EQ(Value("123456789"), 0xe3069283u); }

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string s = "hello world, this is a longer string to cross word boundaries";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    EXPECT_EQ(Extend(Value(s.data(), cut), s.data() + cut, s.size() - cut), Value(s));
  }
}

// Lengths around the three-stream block sizes (3 * 128 and 3 * 4096 bytes) and their sums.
TEST(Crc32cTest, HardwareAndPortableAgree) {
  std::string s;
  for (int i = 0; i < 50'000; ++i) s.push_back(static_cast<char>((i * 7 + 3) ^ (i >> 9)));
  for (size_t off = 0; off < 9; ++off) {
    for (size_t n : {0, 1, 7, 8, 9, 63, 383, 384, 385, 500, 767, 768, 991, 12'287, 12'288,
                     12'289, 12'288 + 384 + 17, 36'864, 49'000}) {
      EXPECT_EQ(Extend(5, s.data() + off, n),
                internal::ExtendPortableForTest(5, s.data() + off, n));
    }
  }
}

TEST(Crc32cTest, DetectsSingleBitFlip) {
  std::string s(100, 'a');
  uint32_t before = Value(s);
  s[50] ^= 0x04;
  EXPECT_NE(Value(s), before);
}

}  // namespace
}  // namespace pinpipe::crc32c
