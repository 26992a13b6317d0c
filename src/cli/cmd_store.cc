// pinpipe store ls|cat|put|rm URL: a small tool to look into a bucket, local or S3.
//
// URL is s3://bucket/key-or-prefix, file:///dir/key, a path, or mem://name/key; `ls` without
// a URL lists the configured lake (lake.url). s3:// uses the s3.* settings and the AWS_*
// credentials of the environment (or ~/.aws/credentials).
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include <sys/stat.h>

#include "cli/command.h"
#include "cli/store_wiring.h"

namespace pinpipe::cli {
namespace {

struct StoreFlags {
  std::string url;
  std::string file = "-";
  bool if_absent = false;
};

// Where an object URL points: the store to open and the key (or prefix) inside it.
struct Target {
  std::string store_url;
  std::string key;
};

Result<Target> Resolve(const Config& config, const std::string& url, bool listing) {
  if (url.empty()) return Target{config.LakeUrl(), ""};
  ASSIGN_OR_RETURN(objstore::StoreUrl parsed, objstore::ParseStoreUrl(url));
  switch (parsed.kind) {
    case objstore::StoreUrl::Kind::kS3: {
      // The rest as typed: `ls s3://b/topics/` lists the prefix "topics/", slash included.
      std::string rest = url.substr(std::string("s3://").size() + parsed.bucket.size());
      if (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
      return Target{"s3://" + parsed.bucket, rest};
    }
    case objstore::StoreUrl::Kind::kMemory: {
      const size_t slash = parsed.path.find('/');
      if (slash == std::string::npos) return Target{"mem://" + parsed.path, ""};
      return Target{"mem://" + parsed.path.substr(0, slash), parsed.path.substr(slash + 1)};
    }
    case objstore::StoreUrl::Kind::kLocal:
      break;
  }
  // A path: inside the configured local lake, keys are relative to it; elsewhere, a directory
  // lists itself and a file is a key in its directory.
  const std::string path = parsed.path;
  auto lake = objstore::ParseStoreUrl(config.LakeUrl());
  if (lake.ok() && lake->kind == objstore::StoreUrl::Kind::kLocal &&
      path.rfind(lake->path + "/", 0) == 0) {
    return Target{lake->path, path.substr(lake->path.size() + 1)};
  }
  if (lake.ok() && lake->kind == objstore::StoreUrl::Kind::kLocal && path == lake->path) {
    return Target{path, ""};
  }
  std::error_code ec;
  if (listing && std::filesystem::is_directory(path, ec)) return Target{path, ""};
  if (listing && !std::filesystem::exists(std::filesystem::path(path).parent_path(), ec)) {
    return NotFoundError("'" + url + "': no such directory");
  }
  const std::filesystem::path p(path);
  return Target{p.parent_path().string(), p.filename().string()};
}

std::string FormatTime(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status Ls(const Config& config, const StoreFlags& f) {
  ASSIGN_OR_RETURN(Target t, Resolve(config, f.url, /*listing=*/true));
  ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config, t.store_url));
  std::string token;
  do {
    ASSIGN_OR_RETURN(objstore::ListPage page, store->List(t.key, token));
    for (const objstore::ObjectInfo& o : page.objects) {
      std::printf("%s\t%" PRIu64 "\t%s\n", o.key.c_str(), o.size, FormatTime(o.mtime_ms).c_str());
    }
    token = std::move(page.next);
  } while (!token.empty());
  return Status::OK();
}

Status Cat(const Config& config, const StoreFlags& f) {
  ASSIGN_OR_RETURN(Target t, Resolve(config, f.url, false));
  ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config, t.store_url));
  ASSIGN_OR_RETURN(std::string data, store->Get(t.key));
  if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size()) {
    return IOError("writing to stdout failed");
  }
  return Status::OK();
}

Status Put(const Config& config, const StoreFlags& f) {
  ASSIGN_OR_RETURN(Target t, Resolve(config, f.url, false));
  std::string data;
  if (f.file == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::FILE* in = std::fopen(f.file.c_str(), "rb");
    if (in == nullptr) return ErrnoError("open", f.file, errno);
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) data.append(buf, n);
    std::fclose(in);
  }
  ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config, t.store_url));
  RETURN_IF_ERROR(store->Put(t.key, data, {.if_absent = f.if_absent}));
  std::fprintf(stderr, "put %s/%s (%zu bytes)\n", store->Url().c_str(), t.key.c_str(), data.size());
  return Status::OK();
}

Status Rm(const Config& config, const StoreFlags& f) {
  ASSIGN_OR_RETURN(Target t, Resolve(config, f.url, false));
  ASSIGN_OR_RETURN(auto store, OpenConfiguredStore(config, t.store_url));
  return store->Delete(t.key);
}

}  // namespace

void RegisterStoreCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd = app.add_subcommand(
      "store",
      "Look into an object store: ls, cat, put, rm (s3://bucket/key, file:///dir/key, "
      "a path; ls alone lists the configured lake).");
  cmd->require_subcommand(1);
  auto flags = std::make_shared<StoreFlags>();
  auto add = [&](const char* name, const char* help,
                 Status (*run)(const Config&, const StoreFlags&), bool url_required) {
    CLI::App* sub = cmd->add_subcommand(name, help);
    auto* opt = sub->add_option("url", flags->url, "s3://bucket/key, file:///dir/key or a path");
    if (url_required) opt->required();
    sub->callback([flags, &ctx, run, action = std::string(name)] {
      auto config = ctx.Load();
      if (!config.ok()) return;
      Status s = run(*config, *flags);
      if (!s.ok()) ctx.Fail("store " + action, s, s.code() == StatusCode::kInvalidArgument ? 2 : 1);
    });
    return sub;
  };
  add("ls", "list objects under a prefix: key, size, modification time (UTC)", Ls, false);
  add("cat", "write an object to stdout", Cat, true);
  CLI::App* put = add("put", "write an object from FILE (or stdin)", Put, true);
  put->add_option("file", flags->file, "the bytes to store; - (default) for stdin");
  put->add_flag("--if-absent", flags->if_absent, "fail if the object exists");
  add("rm", "delete an object (no error if it does not exist)", Rm, true);
}

}  // namespace pinpipe::cli
