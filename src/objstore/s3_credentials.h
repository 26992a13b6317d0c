// Where the S3 backend finds its credentials: only the environment and AWS's shared
// credentials file, never pinpipe's config (secrets stay out of config files).
//
//   kAuto         AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) if both are
//                 set, else the profile file as kProfile
//   kEnvironment  the environment variables only
//   kProfile      the file AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials), section
//                 [<profile>] (default: AWS_PROFILE, else "default"), keys aws_access_key_id,
//                 aws_secret_access_key, aws_session_token
//   kAnonymous    no credentials: requests are not signed (public buckets)
//
// Pure functions of the environment and the file system; any thread.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"

namespace pinpipe::objstore {

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
  std::string source;         // for messages: "environment", "profile 'x' in FILE", "anonymous"
  bool anonymous() const { return access_key_id.empty(); }
};

struct S3CredentialsOptions {
  enum class Source { kAuto, kEnvironment, kProfile, kAnonymous };
  Source source = Source::kAuto;
  std::string profile;  // empty: $AWS_PROFILE, else "default"
  // How to read an environment variable (std::getenv; tests substitute their own).
  std::function<const char*(const char*)> getenv;
};

// "auto", "env", "profile", "anonymous" -> Source; InvalidArgument otherwise.
Result<S3CredentialsOptions::Source> ParseCredentialsSource(const std::string& text);

// kNotFound (saying where it looked) when no credentials are found, kInvalidArgument when the
// profile file is malformed or lacks a key.
Result<S3Credentials> LoadS3Credentials(const S3CredentialsOptions& options);

}  // namespace pinpipe::objstore
