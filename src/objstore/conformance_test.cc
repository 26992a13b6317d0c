// The conformance suite (conformance_test.h) on every backend: memory, a directory on the
// real disk and on the in-memory FileSystem, and S3 against a real s3rver.
#include "objstore/conformance_test.h"

#include <filesystem>

#include <stdlib.h>

#include "io/mem_file_system.h"
#include "io/posix_file_system.h"
#include "objstore/local_object_store.h"
#include "objstore/memory_object_store.h"
#include "testutil/s3rver_server.h"

namespace pinpipe::objstore::testing {
namespace {

Result<std::unique_ptr<ObjectStore>> MakeMemory() {
  return std::unique_ptr<ObjectStore>(new MemoryObjectStore("conformance"));
}

// A LocalObjectStore that owns what it stands on (a temp dir or a MemFileSystem).
class OwningLocalStore final : public ObjectStore {
 public:
  OwningLocalStore(std::unique_ptr<io::FileSystem> owned_fs, std::string cleanup_dir,
                   std::unique_ptr<LocalObjectStore> store)
      : owned_fs_(std::move(owned_fs)),
        cleanup_dir_(std::move(cleanup_dir)),
        store_(std::move(store)) {}
  ~OwningLocalStore() override {
    store_.reset();
    if (!cleanup_dir_.empty()) std::filesystem::remove_all(cleanup_dir_);
  }
  Status Put(std::string_view key, std::string_view data, const PutOptions& o) override {
    return store_->Put(key, data, o);
  }
  Result<std::string> Get(std::string_view key) override { return store_->Get(key); }
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t n) override {
    return store_->GetRange(key, offset, n);
  }
  Result<ObjectInfo> Head(std::string_view key) override { return store_->Head(key); }
  Result<ListPage> List(std::string_view prefix, std::string_view token, int max) override {
    return store_->List(prefix, token, max);
  }
  Status Delete(std::string_view key) override { return store_->Delete(key); }
  std::string Url() const override { return store_->Url(); }

 private:
  std::unique_ptr<io::FileSystem> owned_fs_;
  std::string cleanup_dir_;
  std::unique_ptr<LocalObjectStore> store_;
};

Result<std::unique_ptr<ObjectStore>> MakeLocalPosix() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "pinpipe-lake-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return ErrnoError("mkdtemp", tmpl, errno);
  ASSIGN_OR_RETURN(auto store,
                   LocalObjectStore::Open(io::PosixFileSystem::Default(), tmpl + "/lake"));
  return std::unique_ptr<ObjectStore>(new OwningLocalStore(nullptr, tmpl, std::move(store)));
}

Result<std::unique_ptr<ObjectStore>> MakeLocalMemFs() {
  auto fs = std::make_unique<io::MemFileSystem>();
  ASSIGN_OR_RETURN(auto store, LocalObjectStore::Open(fs.get(), "/data/lake"));
  return std::unique_ptr<ObjectStore>(new OwningLocalStore(std::move(fs), "", std::move(store)));
}

// S3 on the shared s3rver; each test gets its own prefix in the one bucket.
Result<std::unique_ptr<ObjectStore>> MakeS3() {
  static std::atomic<int> counter{0};
  ASSIGN_OR_RETURN(testutil::S3rverServer * server, testutil::SharedS3rverServer());
  ASSIGN_OR_RETURN(auto store,
                   server->OpenStore("conformance/" + std::to_string(counter.fetch_add(1))));
  return std::unique_ptr<ObjectStore>(std::move(store));
}

const auto* const kS3rverEnvironment =
    ::testing::AddGlobalTestEnvironment(new testutil::S3rverEnvironment());

INSTANTIATE_TEST_SUITE_P(Backends, ObjectStoreConformanceTest,
                         ::testing::Values(StoreMaker{"Memory", MakeMemory},
                                           StoreMaker{"LocalPosix", MakeLocalPosix},
                                           StoreMaker{"LocalMemFs", MakeLocalMemFs},
                                           StoreMaker{"S3rver", MakeS3}),
                         StoreMakerName);

}  // namespace
}  // namespace pinpipe::objstore::testing
