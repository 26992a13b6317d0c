// OpenObjectStore: an ObjectStore from a URL, so configuration (lake.url) and commands name
// stores the same way everywhere.
//
//   file:///abs/dir      LocalObjectStore on the directory (created if missing)
//   /abs/dir, rel/dir    the same; a relative path resolves against `base_dir`, else the cwd
//   mem://name           a MemoryObjectStore shared by every open of `name` in this process
//   s3://bucket[/prefix] S3ObjectStore with `s3` options (endpoint, region, path style,
//                        credentials source, multipart and retry settings)
//
// Anything else (another scheme, file://host/..., an empty bucket) is kInvalidArgument naming
// the URL. Thread-safety: any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "io/file_system.h"
#include "objstore/object_store.h"
#include "objstore/s3_object_store.h"

namespace pinpipe::objstore {

struct OpenOptions {
  S3Options s3;
  io::FileSystem* fs = nullptr;  // for directories; nullptr: the real disk
  std::string base_dir;          // relative paths resolve against it; empty: the cwd
};

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(std::string_view url,
                                                     const OpenOptions& options = {});

// The parts of a store URL.
struct StoreUrl {
  enum class Kind { kLocal, kMemory, kS3 } kind = Kind::kLocal;
  std::string path;    // kLocal: absolute directory; kMemory: the name
  std::string bucket;  // kS3
  std::string prefix;  // kS3: without leading or trailing '/'
};
Result<StoreUrl> ParseStoreUrl(std::string_view url, const std::string& base_dir = "");

}  // namespace pinpipe::objstore
