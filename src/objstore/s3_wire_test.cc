#include "objstore/s3_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"

namespace pinpipe::objstore::s3 {
namespace {

using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;

TEST(UriEncodeTest, EncodesAllButUnreservedAsAwsDoes) {
  EXPECT_EQ(UriEncode("topics/u.pin/partition=0/u.pin+0+0000000000.json", true),
            "topics/u.pin/partition%3D0/u.pin%2B0%2B0000000000.json");
  EXPECT_EQ(UriEncode("a b/c~d_e-f.g", true), "a%20b/c~d_e-f.g");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
}

TEST(XmlTest, FindsElementsAndDecodesEntities) {
  const std::string xml =
      "<ListBucketResult><KeyCount>2</KeyCount><Contents><Key>a&amp;b &lt;c&gt;</Key>"
      "<Size>3</Size></Contents><Contents><Key>caf&#233; &#x41;</Key><Size>4</Size></Contents>"
      "<IsTruncated>false</IsTruncated></ListBucketResult>";
  auto contents = XmlElements(xml, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(XmlText(contents[0], "Key"), "a&b <c>");
  EXPECT_EQ(XmlText(contents[1], "Key"), "caf\xc3\xa9 A");
  EXPECT_EQ(XmlText(xml, "Key"), "a&b <c>");  // <KeyCount> is not <Key>
  EXPECT_EQ(XmlText(xml, "IsTruncated"), "false");
  EXPECT_EQ(XmlText(xml, "Missing"), "");
  EXPECT_EQ(XmlUnescape(XmlEscape("<a href=\"x\">'&'</a>")), "<a href=\"x\">'&'</a>");
}

TEST(DateTest, ParsesBothS3Formats) {
  EXPECT_THAT(ParseIso8601Ms("2009-10-12T17:50:30.000Z"), IsOkAndHolds(1255369830000));
  EXPECT_THAT(ParseIso8601Ms("2009-10-12T17:50:30.123Z"), IsOkAndHolds(1255369830123));
  EXPECT_THAT(ParseIso8601Ms("2009-10-12T17:50:30Z"), IsOkAndHolds(1255369830000));
  EXPECT_THAT(ParseHttpDateMs("Mon, 12 Oct 2009 17:50:30 GMT"), IsOkAndHolds(1255369830000));
  EXPECT_THAT(ParseIso8601Ms("yesterday"), StatusIs(StatusCode::kCorruption));
  EXPECT_THAT(ParseHttpDateMs("yesterday"), StatusIs(StatusCode::kCorruption));
}

TEST(Sha256Test, MatchesKnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace pinpipe::objstore::s3
