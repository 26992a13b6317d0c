#include "objstore/s3_credentials.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/status_matchers.h"

namespace pinpipe::objstore {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

class S3CredentialsTest : public ::testing::Test {
 protected:
  S3CredentialsTest() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pinpipe-creds-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    env_["HOME"] = dir_;
  }
  ~S3CredentialsTest() override { std::filesystem::remove_all(dir_); }
  S3CredentialsOptions Options(S3CredentialsOptions::Source source) {
    S3CredentialsOptions o;
    o.source = source;
    o.getenv = [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    };
    return o;
  }
  void WriteProfileFile(const std::string& text) {
    std::filesystem::create_directories(dir_ + "/.aws");
    std::ofstream(dir_ + "/.aws/credentials") << text;
  }
  std::string dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(S3CredentialsTest, EnvironmentFirst) {
  env_["AWS_ACCESS_KEY_ID"] = "AKENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "secret/env";
  env_["AWS_SESSION_TOKEN"] = "tok";
  WriteProfileFile("[default]\naws_access_key_id = AKFILE\naws_secret_access_key = s\n");
  auto c = LoadS3Credentials(Options(S3CredentialsOptions::Source::kAuto));
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->access_key_id, "AKENV");
  EXPECT_EQ(c->secret_access_key, "secret/env");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->source, "environment");
}

TEST_F(S3CredentialsTest, ProfileFileWithAwsProfile) {
  WriteProfileFile(
      "# comment\n[default]\naws_access_key_id = AKDEF\naws_secret_access_key = sdef\n\n"
      "[lake]\naws_access_key_id=AKLAKE\naws_secret_access_key=slake\naws_session_token = t\n");
  auto c = LoadS3Credentials(Options(S3CredentialsOptions::Source::kAuto));
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->access_key_id, "AKDEF");
  env_["AWS_PROFILE"] = "lake";
  c = LoadS3Credentials(Options(S3CredentialsOptions::Source::kProfile));
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->access_key_id, "AKLAKE");
  EXPECT_EQ(c->secret_access_key, "slake");
  EXPECT_EQ(c->session_token, "t");
  EXPECT_THAT(c->source, HasSubstr("profile 'lake'"));
}

TEST_F(S3CredentialsTest, SharedCredentialsFileVariableAndExplicitProfile) {
  const std::string file = dir_ + "/other-credentials";
  std::ofstream(file) << "[ci]\naws_access_key_id = AKCI\naws_secret_access_key = sci\n";
  env_["AWS_SHARED_CREDENTIALS_FILE"] = file;
  auto o = Options(S3CredentialsOptions::Source::kProfile);
  o.profile = "ci";
  auto c = LoadS3Credentials(o);
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->access_key_id, "AKCI");
}

TEST_F(S3CredentialsTest, MissingOrIncompleteCredentialsSayWhere) {
  EXPECT_THAT(LoadS3Credentials(Options(S3CredentialsOptions::Source::kAuto)),
              StatusIs(StatusCode::kNotFound, HasSubstr(".aws/credentials")));
  EXPECT_THAT(LoadS3Credentials(Options(S3CredentialsOptions::Source::kEnvironment)),
              StatusIs(StatusCode::kNotFound, HasSubstr("AWS_ACCESS_KEY_ID")));
  WriteProfileFile("[default]\naws_access_key_id = AKDEF\n");
  EXPECT_THAT(LoadS3Credentials(Options(S3CredentialsOptions::Source::kProfile)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("aws_secret_access_key")));
  env_["AWS_PROFILE"] = "nope";
  EXPECT_THAT(LoadS3Credentials(Options(S3CredentialsOptions::Source::kProfile)),
              StatusIs(StatusCode::kNotFound, HasSubstr("profile 'nope'")));
  auto anon = LoadS3Credentials(Options(S3CredentialsOptions::Source::kAnonymous));
  ASSERT_THAT(anon, IsOk());
  EXPECT_TRUE(anon->anonymous());
}

TEST(ParseCredentialsSourceTest, KnowsTheFourSources) {
  EXPECT_THAT(ParseCredentialsSource("auto"), IsOk());
  EXPECT_THAT(ParseCredentialsSource("env"), IsOk());
  EXPECT_THAT(ParseCredentialsSource("profile"), IsOk());
  EXPECT_THAT(ParseCredentialsSource("anonymous"), IsOk());
  EXPECT_THAT(ParseCredentialsSource("file"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace pinpipe::objstore
