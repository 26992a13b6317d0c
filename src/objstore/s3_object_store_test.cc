// What the S3 backend does beyond the conformance suite, against the private s3rver (which
// verifies SigV4 signatures and can inject failures; tests/testutil/s3rver.js).
#include "objstore/s3_object_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/status_matchers.h"
#include "testutil/s3rver_server.h"

namespace pinpipe::objstore {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class S3ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testutil::SharedS3rverServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *server;
    prefix_ =
        "s3test/" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }
  std::unique_ptr<S3ObjectStore> Open(S3Options options,
                                      const std::string& bucket = testutil::S3rverServer::kBucket) {
    auto store = S3ObjectStore::Open(bucket, prefix_, std::move(options));
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::move(*store) : nullptr;
  }
  S3Options WithCredentials(const char* key, const char* secret) {
    S3Options o = server_->StoreOptions();
    o.credentials.getenv = [key, secret](const char* name) -> const char* {
      if (std::string(name) == "AWS_ACCESS_KEY_ID") return key;
      if (std::string(name) == "AWS_SECRET_ACCESS_KEY") return secret;
      return nullptr;
    };
    return o;
  }
  testutil::S3rverServer* server_ = nullptr;
  std::string prefix_;
};

TEST_F(S3ObjectStoreTest, ThrottlingAndServerErrorsAreRetriedWithBackoff) {
  FakeClock clock(0);
  S3Options o = server_->StoreOptions();
  o.clock = &clock;
  auto store = Open(o);
  ASSERT_THAT(server_->FailNextRequests(2, 503, "SlowDown"), IsOk());
  ASSERT_THAT(store->Put("k", "v"), IsOk());
  EXPECT_GE(clock.NowMicros(), (o.initial_backoff_ms / 2 + o.initial_backoff_ms) * 1000)
      << "two backoff sleeps on the clock";
  ASSERT_THAT(server_->FailNextRequests(1, 500, "InternalError"), IsOk());
  EXPECT_THAT(store->Get("k"), IsOkAndHolds("v"));
}

TEST_F(S3ObjectStoreTest, DroppedConnectionsAreRetried) {
  FakeClock clock(0);
  S3Options o = server_->StoreOptions();
  o.clock = &clock;
  auto store = Open(o);
  ASSERT_THAT(server_->ResetNextConnections(2), IsOk());
  ASSERT_THAT(store->Put("k", "v"), IsOk());
  EXPECT_THAT(store->Get("k"), IsOkAndHolds("v"));
}

TEST_F(S3ObjectStoreTest, GivesUpAfterMaxAttemptsAsUnavailable) {
  FakeClock clock(0);
  S3Options o = server_->StoreOptions();
  o.clock = &clock;
  o.max_attempts = 3;
  auto store = Open(o);
  ASSERT_THAT(server_->FailNextRequests(3, 503, "SlowDown"), IsOk());
  EXPECT_THAT(store->Put("k", "v"), StatusIs(StatusCode::kUnavailable, HasSubstr("SlowDown")));
  // curl itself retries once on a reused connection that died: more resets than attempts.
  ASSERT_THAT(server_->ResetNextConnections(100), IsOk());
  EXPECT_THAT(store->Put("k", "v"), StatusIs(StatusCode::kUnavailable, HasSubstr("3 attempts")));
  ASSERT_THAT(server_->FailNextRequests(0), IsOk());
  EXPECT_THAT(store->Put("k", "v"), IsOk());  // the server is fine again
}

TEST_F(S3ObjectStoreTest, BadCredentialsArePermissionDenied) {
  auto unknown_key = Open(WithCredentials("NOT-A-KEY", "S3RVER"));
  EXPECT_THAT(unknown_key->Put("k", "v"),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("InvalidAccessKeyId")));
  auto wrong_secret = Open(WithCredentials("S3RVER", "wrong-secret"));
  EXPECT_THAT(wrong_secret->List(""),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("SignatureDoesNotMatch")));
}

TEST_F(S3ObjectStoreTest, SessionTokensAreSentAndSigned) {
  S3Options o = server_->StoreOptions();
  o.credentials.getenv = [](const char* name) -> const char* {
    const std::string n = name;
    if (n == "AWS_ACCESS_KEY_ID") return "S3RVER";
    if (n == "AWS_SECRET_ACCESS_KEY") return "S3RVER";
    if (n == "AWS_SESSION_TOKEN") return "FwoGZXIvYXdzEBY/a+token==";
    return nullptr;
  };
  auto store = Open(o);
  ASSERT_THAT(store->Put("k", "v"), IsOk());
  EXPECT_THAT(store->Get("k"), IsOkAndHolds("v"));
}

TEST_F(S3ObjectStoreTest, AMissingBucketIsNotFound) {
  auto store = Open(server_->StoreOptions(), "no-such-bucket");
  EXPECT_THAT(store->List(""), StatusIs(StatusCode::kNotFound, HasSubstr("no such bucket")));
  EXPECT_THAT(store->Put("k", "v"), StatusIs(StatusCode::kNotFound, HasSubstr("no such bucket")));
}

TEST_F(S3ObjectStoreTest, PrefixesIsolateStores) {
  auto a =
      S3ObjectStore::Open(testutil::S3rverServer::kBucket, prefix_ + "/a", server_->StoreOptions());
  auto ab = S3ObjectStore::Open(testutil::S3rverServer::kBucket, prefix_ + "/a-b/",
                                server_->StoreOptions());
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(ab, IsOk());
  ASSERT_THAT((*a)->Put("x", "in a"), IsOk());
  ASSERT_THAT((*ab)->Put("y", "in a-b"), IsOk());
  auto listed = ListAll(**a, "");
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "x");
  EXPECT_EQ((*a)->Url(),
            "s3://" + std::string(testutil::S3rverServer::kBucket) + "/" + prefix_ + "/a");
  EXPECT_THAT((*ab)->Get("x"), StatusIs(StatusCode::kNotFound));
}

TEST_F(S3ObjectStoreTest, MultipartIfAbsentRefusesAnExistingKey) {
  auto store = Open(server_->StoreOptions());
  const std::string big(200 * 1024, 'b');  // above the 64 KiB threshold: multipart
  ASSERT_THAT(store->Put("big", big, {.if_absent = true}), IsOk());
  EXPECT_THAT(store->Put("big", std::string(150 * 1024, 'c'), {.if_absent = true}),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(store->Head("big"), IsOkAndHolds(::testing::Field(&ObjectInfo::size, big.size())));
}

TEST(S3UrlTest, PathAndVirtualHostedStyle) {
  S3Options o;
  o.credentials.source = S3CredentialsOptions::Source::kAnonymous;
  o.region = "eu-west-1";
  auto aws = S3ObjectStore::Open("lake", "raw", o);
  ASSERT_THAT(aws, IsOk());
  EXPECT_EQ((*aws)->ObjectUrl("raw/a b/t+0=1.json", {}),
            "https://lake.s3.eu-west-1.amazonaws.com/raw/a%20b/t%2B0%3D1.json");
  EXPECT_EQ((*aws)->ObjectUrl("", {{"prefix", "raw/x y"}, {"list-type", "2"}}),
            "https://lake.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=raw%2Fx%20y");
  o.endpoint = "https://minio.example.com:9000/";
  o.path_style = true;
  auto minio = S3ObjectStore::Open("lake", "", o);
  ASSERT_THAT(minio, IsOk());
  EXPECT_EQ((*minio)->ObjectUrl("k", {{"uploads", ""}}),
            "https://minio.example.com:9000/lake/k?uploads=");
  EXPECT_EQ((*minio)->Url(), "s3://lake");
  o.endpoint = "http://127.0.0.1:4568";
  o.path_style = false;  // an IP address cannot take a bucket subdomain: path style anyway
  auto local = S3ObjectStore::Open("lake", "", o);
  ASSERT_THAT(local, IsOk());
  EXPECT_EQ((*local)->ObjectUrl("k", {}), "http://127.0.0.1:4568/lake/k");
  o.endpoint = "ftp://x";
  EXPECT_THAT(S3ObjectStore::Open("lake", "", o), StatusIs(StatusCode::kInvalidArgument));
  o.endpoint = "";
  EXPECT_THAT(S3ObjectStore::Open("lake", "../up", o), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pinpipe::objstore
