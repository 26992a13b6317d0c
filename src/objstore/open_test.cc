#include "objstore/open.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "io/mem_file_system.h"

namespace pinpipe::objstore {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::IsOkAndHolds;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ParseStoreUrlTest, KnowsEveryForm) {
  auto local = ParseStoreUrl("file:///data/lake/");
  ASSERT_THAT(local, IsOk());
  EXPECT_EQ(local->kind, StoreUrl::Kind::kLocal);
  EXPECT_EQ(local->path, "/data/lake");
  auto rel = ParseStoreUrl("pinpipe-data/./lake", "/home/me");
  ASSERT_THAT(rel, IsOk());
  EXPECT_EQ(rel->path, "/home/me/pinpipe-data/lake");
  auto s3 = ParseStoreUrl("s3://bucket/raw/topics/");
  ASSERT_THAT(s3, IsOk());
  EXPECT_EQ(s3->kind, StoreUrl::Kind::kS3);
  EXPECT_EQ(s3->bucket, "bucket");
  EXPECT_EQ(s3->prefix, "raw/topics");
  auto bare = ParseStoreUrl("s3://bucket");
  ASSERT_THAT(bare, IsOk());
  EXPECT_EQ(bare->prefix, "");
  auto mem = ParseStoreUrl("mem://t1");
  ASSERT_THAT(mem, IsOk());
  EXPECT_EQ(mem->kind, StoreUrl::Kind::kMemory);
}

TEST(ParseStoreUrlTest, RefusesWhatItCannotOpen) {
  EXPECT_THAT(ParseStoreUrl("gs://bucket"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown scheme")));
  EXPECT_THAT(ParseStoreUrl("file://host/path"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseStoreUrl("s3:///prefix"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no bucket")));
  EXPECT_THAT(ParseStoreUrl("mem://"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseStoreUrl(""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(OpenObjectStoreTest, OpensLocalAndSharesMemoryByName) {
  io::MemFileSystem fs;
  OpenOptions o;
  o.fs = &fs;
  auto local = OpenObjectStore("file:///lake", o);
  ASSERT_THAT(local, IsOk());
  ASSERT_THAT((*local)->Put("a/b", "x"), IsOk());
  EXPECT_TRUE(fs.FileExists("/lake/a/b"));
  EXPECT_EQ((*local)->Url(), "file:///lake");

  auto m1 = OpenObjectStore("mem://open-test");
  auto m2 = OpenObjectStore("mem://open-test");
  ASSERT_THAT(m1, IsOk());
  ASSERT_THAT(m2, IsOk());
  ASSERT_THAT((*m1)->Put("k", "v"), IsOk());
  EXPECT_THAT((*m2)->Get("k"), IsOkAndHolds("v"));
  EXPECT_EQ((*m2)->Url(), "mem://open-test");
}

TEST(OpenObjectStoreTest, OpensS3WithItsOptions) {
  OpenOptions o;
  o.s3.endpoint = "http://127.0.0.1:1";
  o.s3.credentials.source = S3CredentialsOptions::Source::kAnonymous;
  auto s3 = OpenObjectStore("s3://bucket/raw/", o);
  ASSERT_THAT(s3, IsOk());
  EXPECT_EQ((*s3)->Url(), "s3://bucket/raw");
  // Nothing listens on port 1: a connection error after the retries, not a crash.
  o.s3.max_attempts = 1;
  auto down = OpenObjectStore("s3://bucket", o);
  ASSERT_THAT(down, IsOk());
  EXPECT_THAT((*down)->Get("k"), StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace pinpipe::objstore
