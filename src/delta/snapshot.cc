#include "delta/snapshot.h"

#include <algorithm>

#include <simdjson.h>

#include "delta/checkpoint.h"
#include "delta/log_files.h"

namespace pinpipe::delta {
namespace {

// Reads and applies the commit files from `from` to `to` (inclusive), which must all exist.
Status ApplyCommits(objstore::ObjectStore& store, std::string_view root, int64_t from,
                    int64_t to, Snapshot* snapshot) {
  for (int64_t v = from; v <= to; ++v) {
    Result<std::string> text = store.Get(CommitKey(root, v));
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) {
        return CorruptionError("delta log: commit " + std::to_string(v) + " of " +
                               std::string(root) + " is missing");
      }
      return text.status();
    }
    Result<std::vector<Action>> actions = ParseActions(*text);
    if (!actions.ok()) return actions.status().WithContext("commit " + std::to_string(v));
    for (const Action& a : *actions) RETURN_IF_ERROR(snapshot->Apply(a));
    snapshot->version = v;
  }
  return Status::OK();
}

int64_t NumRecordsOf(const AddFile& add) {
  if (!add.stats) return 0;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  int64_t n = 0;
  if (parser.parse(add.stats->data(), add.stats->size(), true).get(doc) != simdjson::SUCCESS ||
      doc["numRecords"].get(n) != simdjson::SUCCESS) {
    return 0;
  }
  return n;
}

}  // namespace

std::optional<int64_t> Snapshot::TxnVersion(std::string_view app_id) const {
  auto it = txns.find(std::string(app_id));
  if (it == txns.end()) return std::nullopt;
  return it->second.version;
}

int64_t Snapshot::NumRecords() const {
  int64_t n = 0;
  for (const auto& [path, add] : files) n += NumRecordsOf(add);
  return n;
}

bool operator==(const Snapshot& a, const Snapshot& b) {
  auto same_tombstones = [](const auto& x, const auto& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const auto& p, const auto& q) {
      return p.first == q.first && p.second.deletion_timestamp == q.second.deletion_timestamp;
    });
  };
  return a.version == b.version && a.protocol == b.protocol && a.metadata == b.metadata &&
         a.files == b.files && a.txns == b.txns && same_tombstones(a.tombstones, b.tombstones);
}

Status Snapshot::Apply(const Action& action) {
  if (const auto* p = std::get_if<Protocol>(&action)) {
    if (p->min_reader_version > kReaderVersion) {
      return UnimplementedError("delta table needs reader version " +
                                std::to_string(p->min_reader_version) + "; pinpipe reads " +
                                std::to_string(kReaderVersion));
    }
    protocol = *p;
  } else if (const auto* m = std::get_if<Metadata>(&action)) {
    ASSIGN_OR_RETURN(schema, ParseSchemaString(m->schema_string));
    metadata = *m;
  } else if (const auto* a = std::get_if<AddFile>(&action)) {
    tombstones.erase(a->path);
    files[a->path] = *a;
  } else if (const auto* r = std::get_if<RemoveFile>(&action)) {
    files.erase(r->path);
    tombstones[r->path] = *r;
  } else if (const auto* t = std::get_if<Txn>(&action)) {
    txns[t->app_id] = *t;
  }
  return Status::OK();
}

Result<Snapshot> LoadSnapshot(objstore::ObjectStore& store, engine::Session& session,
                              std::string_view root, const LoadOptions& options) {
  ASSIGN_OR_RETURN(LogListing listing, ListLog(store, root));
  if (listing.commits.empty() && listing.checkpoints.empty()) {
    return NotFoundError("no delta table at " + store.Url() + "/" + std::string(root));
  }
  int64_t latest = listing.commits.empty() ? listing.checkpoints.back() : listing.commits.back();
  int64_t target = options.version.value_or(latest);
  if (target > latest || target < 0) {
    return NotFoundError("delta table " + std::string(root) + " has no version " +
                         std::to_string(target) + " (latest " + std::to_string(latest) + ")");
  }
  Snapshot snapshot;
  int64_t start = 0;
  if (options.use_checkpoints) {
    auto it = std::upper_bound(listing.checkpoints.begin(), listing.checkpoints.end(), target);
    if (it != listing.checkpoints.begin()) {
      int64_t cp = *std::prev(it);
      ASSIGN_OR_RETURN(std::vector<Action> actions, ReadCheckpoint(session, store, root, cp));
      for (const Action& a : actions) RETURN_IF_ERROR(snapshot.Apply(a));
      snapshot.version = cp;
      snapshot.checkpoint_version = cp;
      start = cp + 1;
    }
  }
  RETURN_IF_ERROR(ApplyCommits(store, root, start, target, &snapshot));
  if (snapshot.metadata.id.empty()) {
    return CorruptionError("delta table " + std::string(root) + " has no metaData action");
  }
  return snapshot;
}

Status UpdateSnapshot(objstore::ObjectStore& store, std::string_view root, Snapshot* snapshot) {
  ASSIGN_OR_RETURN(LogListing listing, ListLog(store, root));
  if (listing.commits.empty() || listing.commits.back() <= snapshot->version) return Status::OK();
  return ApplyCommits(store, root, snapshot->version + 1, listing.commits.back(), snapshot);
}

}  // namespace pinpipe::delta
