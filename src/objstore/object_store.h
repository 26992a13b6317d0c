// ObjectStore: the bucket the sink writes to and the batch job and Delta tables read from.
// Backends: a local directory (`file://` URLs, the default `<data_dir>/lake`), memory (tests)
// and S3 or any S3-compatible server (`s3://bucket/prefix`). One conformance suite
// (conformance_test.h) holds every backend to this contract.
//
// Keys are '/'-separated UTF-8 strings relative to the store's root (for S3, relative to the
// URL's prefix). A valid key is non-empty, at most 1024 bytes, has no NUL, does not start
// with '/', and has no "." or ".." segment and no empty segment; anything else is
// kInvalidArgument before any I/O. Nothing can escape the root.
//
// Errors: kNotFound (no such key), kAlreadyExists (Put with if_absent on an existing key),
// kInvalidArgument (bad key or range), kUnavailable (transient: network, throttling, 5xx after
// the backend's own retries), kPermissionDenied (credentials), kIOError (the OS refused),
// kCorruption (a reply that does not parse).
//
// Thread-safety: every method may be called from many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace pinpipe::objstore {

struct ObjectInfo {
  std::string key;          // relative to the store's root
  uint64_t size = 0;        // bytes
  int64_t mtime_ms = 0;     // last modification, Unix milliseconds
  std::string etag;         // opaque; may be empty (local and memory backends)
};

struct PutOptions {
  // Fail with kAlreadyExists instead of replacing an existing object. Atomic: of two racing
  // if-absent puts of one key, exactly one succeeds.
  bool if_absent = false;
};

// One page of a listing. `next` is empty on the last page; otherwise pass it back to get the
// following page.
struct ListPage {
  std::vector<ObjectInfo> objects;  // in ascending byte order of key
  std::string next;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Writes the whole object. Atomic and durable on return: a reader sees the old object or
  // the new one, never a part, and the new one survives a crash once Put returned OK.
  virtual Status Put(std::string_view key, std::string_view data,
                     const PutOptions& options = {}) = 0;
  // The whole object.
  virtual Result<std::string> Get(std::string_view key) = 0;
  // Bytes [offset, offset + length) clipped to the object's end; an offset at or past the end
  // gives an empty string.
  virtual Result<std::string> GetRange(std::string_view key, uint64_t offset,
                                       uint64_t length) = 0;
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;
  // Objects whose key starts with `prefix` (plain string prefix, no delimiter), at most
  // `max_keys` per page, continuing after the page that returned `token` (empty: from the
  // start).
  virtual Result<ListPage> List(std::string_view prefix, std::string_view token = {},
                                int max_keys = 1000) = 0;
  // Removes the object; OK if it does not exist (as S3 does).
  virtual Status Delete(std::string_view key) = 0;

  // The store's URL (`file:///abs/dir`, `mem://name`, `s3://bucket/prefix`), for messages.
  virtual std::string Url() const = 0;
};

// kInvalidArgument with the reason unless `key` is valid as described above.
Status ValidateKey(std::string_view key);

// Every object under `prefix`, all pages, in key order.
Result<std::vector<ObjectInfo>> ListAll(ObjectStore& store, std::string_view prefix);

}  // namespace pinpipe::objstore
