#include "objstore/s3_credentials.h"

#include <cstdlib>
#include <fstream>
#include <map>

namespace pinpipe::objstore {
namespace {

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

std::string Env(const S3CredentialsOptions& o, const char* name) {
  const char* v = o.getenv ? o.getenv(name) : std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  return v != nullptr ? v : "";
}

Result<S3Credentials> FromEnvironment(const S3CredentialsOptions& o) {
  S3Credentials c;
  c.access_key_id = Env(o, "AWS_ACCESS_KEY_ID");
  c.secret_access_key = Env(o, "AWS_SECRET_ACCESS_KEY");
  c.session_token = Env(o, "AWS_SESSION_TOKEN");
  c.source = "environment";
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return NotFoundError(
        "no S3 credentials in the environment (AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY)");
  }
  return c;
}

Result<S3Credentials> FromProfile(const S3CredentialsOptions& o) {
  std::string file = Env(o, "AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty()) {
    const std::string home = Env(o, "HOME");
    if (home.empty()) return NotFoundError("no S3 credentials: HOME is not set");
    file = home + "/.aws/credentials";
  }
  std::string profile = o.profile;
  if (profile.empty()) profile = Env(o, "AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::ifstream in(file);
  if (!in) {
    return NotFoundError(
        "no S3 credentials: not in the environment (AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY) and no file " +
        file);
  }
  std::map<std::string, std::string> values;
  std::string section;
  bool found = false;
  for (std::string line; std::getline(in, line);) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']')
        return InvalidArgumentError(file + ": bad section line '" + line + "'");
      section = Trim(line.substr(1, line.size() - 2));
      if (section.rfind("profile ", 0) == 0) section = Trim(section.substr(8));
      found = found || section == profile;
      continue;
    }
    if (section != profile) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos)
      return InvalidArgumentError(file + ": bad line in [" + profile + "]");
    values[Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
  }
  const std::string where = "profile '" + profile + "' in " + file;
  if (!found) return NotFoundError("no S3 credentials: no " + where);
  S3Credentials c;
  c.access_key_id = values["aws_access_key_id"];
  c.secret_access_key = values["aws_secret_access_key"];
  c.session_token = values["aws_session_token"];
  c.source = where;
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return InvalidArgumentError(where + " lacks aws_access_key_id or aws_secret_access_key");
  }
  return c;
}

}  // namespace

Result<S3CredentialsOptions::Source> ParseCredentialsSource(const std::string& text) {
  using Source = S3CredentialsOptions::Source;
  if (text == "auto" || text.empty()) return Source::kAuto;
  if (text == "env") return Source::kEnvironment;
  if (text == "profile") return Source::kProfile;
  if (text == "anonymous") return Source::kAnonymous;
  return InvalidArgumentError("S3 credentials source '" + text +
                              "' is not one of auto, env, profile, anonymous");
}

Result<S3Credentials> LoadS3Credentials(const S3CredentialsOptions& options) {
  using Source = S3CredentialsOptions::Source;
  switch (options.source) {
    case Source::kAnonymous: {
      S3Credentials c;
      c.source = "anonymous";
      return c;
    }
    case Source::kEnvironment:
      return FromEnvironment(options);
    case Source::kProfile:
      return FromProfile(options);
    case Source::kAuto:
      break;
  }
  auto env = FromEnvironment(options);
  if (env.ok()) return env;
  return FromProfile(options);
}

}  // namespace pinpipe::objstore
