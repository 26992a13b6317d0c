#include "cli/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "base/status_matchers.h"

namespace pinpipe::cli {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pinpipe_config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    unsetenv("PINPIPE_USER_ID");
    unsetenv("PINPIPE_API_LISTEN");
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    unsetenv("PINPIPE_USER_ID");
    unsetenv("PINPIPE_API_LISTEN");
  }
  std::string Write(const std::string& text) {
    std::string path = (dir_ / "pinpipe.toml").string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigTest, DefaultsAreTheDocumentedOnes) {
  auto c = LoadConfig("", "");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->user_id, "0a1b2c3d4e5f");
  EXPECT_EQ(c->data_dir, "./pinpipe-data");
  EXPECT_EQ(c->api.listen, "127.0.0.1:8082");
  EXPECT_EQ(c->SourceUrl(), "./pinpipe-data/source.db");
}

TEST_F(ConfigTest, FileThenEnvironmentThenFlag) {
  std::string path = Write(
      "user_id = \"12951463f185\"\n"
      "data_dir = \"/tmp/from-file\"\n"
      "[api]\nlisten = \"127.0.0.1:9000\"\n"
      "[source]\nurl = \"mysql://u:p@h:3306/pinterest_data\"\n");
  setenv("PINPIPE_API_LISTEN", "127.0.0.1:9100", 1);
  auto c = LoadConfig(path, "/tmp/from-flag");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->user_id, "12951463f185");
  EXPECT_EQ(c->api.listen, "127.0.0.1:9100");
  EXPECT_EQ(c->data_dir, "/tmp/from-flag");
  EXPECT_EQ(c->SourceUrl(), "mysql://u:p@h:3306/pinterest_data");
  setenv("PINPIPE_USER_ID", "abc", 1);
  EXPECT_EQ(LoadConfig(path, "")->user_id, "abc");
}

TEST_F(ConfigTest, TypedKeysAndCredentials) {
  std::string path = Write(
      "[api]\nauto_create_topics = true\nio_threads = 2\n[log]\npartitions = 3\n");
  auto c = LoadConfig(path, "");
  ASSERT_THAT(c, IsOk());
  EXPECT_TRUE(c->api.auto_create_topics);
  EXPECT_EQ(c->api.io_threads, 2);
  EXPECT_EQ(c->log.partitions, 3);
  EXPECT_EQ(c->LogDir(), "./pinpipe-data/log");
  EXPECT_THAT(LoadConfig(Write("[api]\nio_threads = \"2\"\n"), ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must be an integer")));
  EXPECT_THAT(LoadConfig(Write("[api]\napi_key = \"s3cret\"\n"), ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("PINPIPE_API_API_KEY")));
  setenv("PINPIPE_API_API_KEY", "s3cret", 1);
  setenv("PINPIPE_API_VALIDATE_RECORDS", "false", 1);
  auto e = LoadConfig("", "");
  unsetenv("PINPIPE_API_API_KEY");
  unsetenv("PINPIPE_API_VALIDATE_RECORDS");
  ASSERT_THAT(e, IsOk());
  EXPECT_EQ(e->api.api_key, "s3cret");
  EXPECT_FALSE(e->api.validate_records);
  setenv("PINPIPE_LOG_PARTITIONS", "many", 1);
  EXPECT_THAT(LoadConfig("", ""), StatusIs(StatusCode::kInvalidArgument,
                                           HasSubstr("PINPIPE_LOG_PARTITIONS must be an integer")));
  unsetenv("PINPIPE_LOG_PARTITIONS");
}

TEST(ParseHostPortTest, SplitsHostAndPort) {
  std::string host;
  uint16_t port = 0;
  ASSERT_THAT(ParseHostPort("127.0.0.1:8082", &host, &port), IsOk());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8082);
  ASSERT_THAT(ParseHostPort("[::1]:0", &host, &port), IsOk());
  EXPECT_EQ(host, "::1");
  EXPECT_THAT(ParseHostPort("8082", &host, &port), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseHostPort("h:70000", &host, &port), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ConfigTest, UnknownKeysAndBadFilesAreRefused) {
  EXPECT_THAT(LoadConfig(Write("user_idd = \"x\"\n"), ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown key 'user_idd'")));
  EXPECT_THAT(LoadConfig(Write("[api]\nlisen = \"x\"\n"), ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown key 'api.lisen'")));
  EXPECT_THAT(LoadConfig(Write("user_id = 12\n"), ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must be a string")));
  EXPECT_THAT(LoadConfig(Write("user_id = \n"), ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("pinpipe.toml:1")));
  EXPECT_THAT(LoadConfig((dir_ / "missing.toml").string(), ""),
              StatusIs(StatusCode::kNotFound, HasSubstr("missing.toml")));
  EXPECT_THAT(LoadConfig(Write("user_id = \"\"\n"), ""), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pinpipe::cli
