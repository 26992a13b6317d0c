#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"

namespace pinpipe::http {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

Handler Named(std::string name) {
  return [name](const Request&) { return Response{200, "text/plain", {}, name}; };
}

std::string Invoke(const RouteMatch& m) {
  if (m.kind != RouteMatch::Kind::kFound) return "<none>";
  return m.route->handler(Request()).body;
}

TEST(RouterTest, MatchesLiteralAndParamSegments) {
  Router r;
  ASSERT_THAT(r.Add("POST", "/topics/{topic}", Named("topic")), IsOk());
  ASSERT_THAT(r.Add("POST", "/topics/{topic}/partitions/{partition}", Named("part")), IsOk());
  RouteMatch m = r.Lookup("POST", "/topics/a.pin/partitions/3");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(Invoke(m), "part");
  EXPECT_THAT(m.params, ElementsAre(Pair("topic", "a.pin"), Pair("partition", "3")));
  EXPECT_EQ(Invoke(r.Lookup("POST", "/topics/x")), "topic");
}

TEST(RouterTest, NotFoundForWrongShapeOrEmptySegment) {
  Router r;
  ASSERT_THAT(r.Add("GET", "/topics/{topic}", Named("t")), IsOk());
  EXPECT_EQ(r.Lookup("GET", "/topics").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Lookup("GET", "/topics/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Lookup("GET", "/topics/a/b").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Lookup("GET", "/streams/a").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(r.Lookup("GET", "").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, MethodNotAllowedListsAllowedMethods) {
  Router r;
  ASSERT_THAT(r.Add("GET", "/streams/{s}", Named("get")), IsOk());
  ASSERT_THAT(r.Add("POST", "/streams/{s}", Named("post")), IsOk());
  RouteMatch m = r.Lookup("PUT", "/streams/x");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, POST");
}

TEST(RouterTest, LiteralBeatsParamRegardlessOfOrder) {
  Router r;
  ASSERT_THAT(r.Add("GET", "/streams/{s}/{x}", Named("param")), IsOk());
  ASSERT_THAT(r.Add("GET", "/streams/{s}/records", Named("records")), IsOk());
  EXPECT_EQ(Invoke(r.Lookup("GET", "/streams/a/records")), "records");
  EXPECT_EQ(Invoke(r.Lookup("GET", "/streams/a/other")), "param");
}

TEST(RouterTest, PercentDecodesParamsAndRefusesSlashAndNul) {
  Router r;
  ASSERT_THAT(r.Add("GET", "/topics/{topic}", Named("t")), IsOk());
  RouteMatch m = r.Lookup("GET", "/topics/a%2Epin%20x");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_THAT(m.params, ElementsAre(Pair("topic", "a.pin x")));
  EXPECT_EQ(r.Lookup("GET", "/topics/a%2Fb").kind, RouteMatch::Kind::kBadParam);
  EXPECT_EQ(r.Lookup("GET", "/topics/a%2fb").kind, RouteMatch::Kind::kBadParam);
  EXPECT_EQ(r.Lookup("GET", "/topics/a%00b").kind, RouteMatch::Kind::kBadParam);
  EXPECT_EQ(r.Lookup("GET", "/topics/a%zz").kind, RouteMatch::Kind::kBadParam);
  EXPECT_EQ(r.Lookup("GET", "/topics/a%4").kind, RouteMatch::Kind::kBadParam);
  // Literal segments compare decoded: %74opics is "topics".
  EXPECT_EQ(r.Lookup("GET", "/%74opics/x").kind, RouteMatch::Kind::kFound);
}

TEST(RouterTest, EverySegmentDecodesOnItsOwn) {
  Router r;
  ASSERT_THAT(r.Add("POST", "/topics/{topic}/partitions/{partition}", Named("p")), IsOk());
  RouteMatch m = r.Lookup("POST", "/t%6Fpics/%61%2Eb%20c/p%61rtitions/%31%32");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_THAT(m.params, ElementsAre(Pair("topic", "a.b c"), Pair("partition", "12")));
  // The same path with another method: 405, found through the decoded literals too.
  m = r.Lookup("GET", "/t%6Fpics/%61/p%61rtitions/1");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
}

TEST(RouterTest, RejectsBadPatterns) {
  Router r;
  EXPECT_THAT(r.Add("GET", "topics", Named("x")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.Add("GET", "/a//b", Named("x")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.Add("GET", "/a/{}", Named("x")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.Add("GET", "/a/{b", Named("x")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.Add("GET", "/a/x{b}", Named("x")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.Add("GET", "/a", nullptr), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_THAT(r.Add("GET", "/a/{b}", Named("x")), IsOk());
  EXPECT_THAT(r.Add("GET", "/a/{b}", Named("y")), StatusIs(StatusCode::kAlreadyExists));
}

TEST(RouterTest, PercentDecode) {
  EXPECT_THAT(PercentDecode("a%41+b", false), IsOkAndHolds(std::string("aA+b")));
  EXPECT_THAT(PercentDecode("a%41+b", true), IsOkAndHolds(std::string("aA b")));
  EXPECT_THAT(PercentDecode("%", false), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(PercentDecode("%g0", false), StatusIs(StatusCode::kInvalidArgument));
}

TEST(RouterTest, AReusedMatchCarriesNothingOverFromTheLastLookup) {
  Router r;
  ASSERT_THAT(r.Add("POST", "/topics/{topic}/partitions/{partition}", Named("part")), IsOk());
  ASSERT_THAT(r.Add("GET", "/topics/{topic}", Named("topic")), IsOk());
  ASSERT_THAT(r.Add("GET", "/brokers", Named("brokers")), IsOk());
  RouteMatch m;
  r.Lookup("POST", "/topics/a-rather-long-topic-name.pin/partitions/12", &m);
  EXPECT_EQ(Invoke(m), "part");
  EXPECT_THAT(m.params, ElementsAre(Pair("topic", "a-rather-long-topic-name.pin"),
                                    Pair("partition", "12")));
  r.Lookup("GET", "/topics/b%2Epin", &m);
  EXPECT_EQ(Invoke(m), "topic");
  EXPECT_THAT(m.params, ElementsAre(Pair("topic", "b.pin")));
  r.Lookup("POST", "/topics/c", &m);
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET");
  EXPECT_THAT(m.params, ::testing::IsEmpty());
  r.Lookup("GET", "/brokers", &m);
  EXPECT_EQ(Invoke(m), "brokers");
  EXPECT_TRUE(m.allow.empty());
  EXPECT_THAT(m.params, ::testing::IsEmpty());
  r.Lookup("GET", "/topics/%zz", &m);
  EXPECT_EQ(m.kind, RouteMatch::Kind::kBadParam);
  r.Lookup("GET", "/topics/d", &m);
  EXPECT_EQ(Invoke(m), "topic");
  EXPECT_TRUE(m.error.empty());
}

TEST(RouterTest, PathsLongerThanAnyPatternMatchNothing) {
  Router r;
  std::string longest, too_long;
  for (size_t i = 0; i < Router::kMaxSegments; ++i) longest += "/{p" + std::to_string(i) + "}";
  ASSERT_THAT(r.Add("GET", longest, Named("longest")), IsOk());
  EXPECT_THAT(r.Add("GET", longest + "/x", Named("x")), StatusIs(StatusCode::kInvalidArgument));
  std::string path, longer;
  for (size_t i = 0; i < Router::kMaxSegments; ++i) path += "/s";
  EXPECT_EQ(Invoke(r.Lookup("GET", path)), "longest");
  EXPECT_EQ(r.Lookup("GET", path + "/s/s/s").kind, RouteMatch::Kind::kNotFound);
  // A bad escape is reported wherever it is.
  EXPECT_EQ(r.Lookup("GET", path + "/s/%4").kind, RouteMatch::Kind::kBadParam);
}

TEST(RouterTest, StripBasePath) {
  EXPECT_EQ(StripBasePath("/test/topics/a", "/test"), "/topics/a");
  EXPECT_EQ(StripBasePath("/test", "/test"), "/");
  EXPECT_EQ(StripBasePath("/test/", "/test/"), "/");
  EXPECT_EQ(StripBasePath("/testing/a", "/test"), "/testing/a");
  EXPECT_EQ(StripBasePath("/topics/a", "/test"), "/topics/a");
  EXPECT_EQ(StripBasePath("/topics/a", ""), "/topics/a");
}

// ASCII letters fold; nothing else does (header names and media types are ASCII).
TEST(RequestTest, EqualsIgnoreCaseFoldsAsciiLettersOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
  EXPECT_FALSE(EqualsIgnoreCase("a-b", "a_b"));
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));        // 0x40 and 0x60: not letters
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));        // 0x5B and 0x7B
  EXPECT_FALSE(EqualsIgnoreCase("\xc4", "\xe4"));  // Latin-1 Ä and ä do not fold
  EXPECT_TRUE(EqualsIgnoreCase("\xc4Z", "\xc4z"));
}

TEST(RequestTest, HeaderLookupIsCaseInsensitiveAndQueryParamsDecode) {
  PathParams params = {{"topic", "t1"}};
  Request req("GET", "/x?a=1&b=hello+w%21&c", "/x", "a=1&b=hello+w%21&c",
              {{"Content-Type", "application/json"}}, "", &params);
  EXPECT_EQ(req.header("content-type").value_or(""), "application/json");
  EXPECT_FALSE(req.header("accept").has_value());
  EXPECT_EQ(req.param("topic"), "t1");
  EXPECT_EQ(req.param("nope"), "");
  EXPECT_EQ(req.query_param("b").value_or(""), "hello w!");
  EXPECT_EQ(req.query_param("c").value_or("x"), "");
  EXPECT_FALSE(req.query_param("d").has_value());
}

}  // namespace
}  // namespace pinpipe::http
