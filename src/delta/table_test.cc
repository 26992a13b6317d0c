#include "delta/table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "base/status_matchers.h"
#include "delta/checkpoint.h"
#include "delta/log_files.h"
#include "engine/appender.h"
#include "engine/parquet.h"
#include "objstore/memory_object_store.h"

namespace pinpipe::delta {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int64_t kStartMicros = 1700000000000000;  // 2023-11-14T22:13:20Z

std::unique_ptr<engine::Session> OpenSession() {
  auto session = engine::Session::Open({.threads = 1, .memory_limit = "", .scratch_parent = ""});
  EXPECT_THAT(session, IsOk());
  return std::move(session).value();
}

class TableTest : public ::testing::Test {
 protected:
  TableOptions Options(uint32_t uuid_prefix = 0) {
    TableOptions o;
    o.clock = &clock_;
    auto uuids = std::make_shared<SequentialUuids>(uuid_prefix);  // shared: std::function copies
    o.uuid = [uuids] { return (*uuids)(); };
    return o;
  }
  std::unique_ptr<Table> Create(std::string root, model::Table schema, engine::Session& session,
                                uint32_t uuid_prefix = 0) {
    auto t = Table::OpenOrCreate(store_, session, std::move(root), CleanTableSchema(schema),
                                 Options(uuid_prefix));
    EXPECT_THAT(t, IsOk());
    return std::move(t).value();
  }
  // A blind append of a file that is only named in the log (the log tests need no data).
  static CommitRequest FakeAppend(const std::string& path, std::optional<Txn> txn = {}) {
    CommitRequest r;
    r.adds.push_back(AddFile{path, {}, 100, 5, true, R"({"numRecords":2})"});
    if (txn) r.txns.push_back(std::move(*txn));
    return r;
  }

  FakeClock clock_{kStartMicros};
  objstore::MemoryObjectStore store_{"lake", &clock_};
  std::unique_ptr<engine::Session> session_ = OpenSession();
};

TEST_F(TableTest, CreateOpenAndSchemaMismatch) {
  EXPECT_THAT(Table::Open(store_, *session_, "tables/t"), StatusIs(StatusCode::kNotFound));
  auto t = Create("tables/t", model::Table::kUser, *session_);
  EXPECT_EQ(t->snapshot().version, 0);
  EXPECT_EQ(t->snapshot().protocol, (Protocol{1, 2}));
  EXPECT_EQ(t->snapshot().schema, CleanTableSchema(model::Table::kUser));
  EXPECT_EQ(t->snapshot().metadata.created_time, kStartMicros / 1000);
  auto again = Create("tables/t", model::Table::kUser, *session_);
  EXPECT_EQ(again->snapshot(), t->snapshot());  // opened, not created twice
  EXPECT_THAT(Table::OpenOrCreate(store_, *session_, "tables/t",
                                  CleanTableSchema(model::Table::kPin), Options()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("another schema")));
  auto opened = Table::Open(store_, *session_, "tables/t");
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ((*opened)->snapshot(), t->snapshot());
}

TEST_F(TableTest, RowsWrittenAreTheRowsReadBackWithDeltaParquetTypes) {
  auto t = Create("tables/cleaned_geo", model::Table::kGeo, *session_);
  std::vector<model::CleanGeo> geos;
  for (int k = 0; k < 50; ++k) {
    model::CleanGeo g;
    g.ind = k;
    g.country = k % 3 == 0 ? std::nullopt : std::optional<std::string>("Country " + std::to_string(k % 7));
    if (k % 5 != 0) g.coordinates = std::array<double, 2>{k * 1.5, -k * 0.25};
    g.timestamp = kStartMicros + int64_t{k} * 1000123;
    geos.push_back(g);
  }
  ASSERT_THAT(engine::CreateCleanTable(*session_, "new_geo", model::Table::kGeo), IsOk());
  ASSERT_THAT(engine::AppendRows(*session_, "new_geo", geos), IsOk());
  auto add = t->WriteDataFile("SELECT * FROM new_geo");
  ASSERT_THAT(add, IsOk());
  EXPECT_EQ(add->path, "part-00000-00000000-0000-4000-8000-000000000002.c000.snappy.parquet");
  auto head = store_.Head("tables/cleaned_geo/" + add->path);
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(static_cast<uint64_t>(add->size), head->size);
  EXPECT_EQ(*add->stats,
            R"({"numRecords":50,"minValues":{"ind":0,"country":"Country 0",)"
            R"("timestamp":"2023-11-14T22:13:20.000Z"},"maxValues":{"ind":49,"country":"Country 6",)"
            R"("timestamp":"2023-11-14T22:14:09.006Z"},"nullCount":{"ind":0,"country":17,)"
            R"("coordinates":10,"timestamp":0}})");

  CommitRequest req;
  req.adds.push_back(*add);
  auto committed = t->Commit(req);
  ASSERT_THAT(committed, IsOk());
  EXPECT_EQ(committed->version, 1);
  EXPECT_EQ(t->snapshot().NumRecords(), 50);

  // Read back through a view over the snapshot (as `pinpipe query` and the analyses will).
  ASSERT_THAT(t->CreateView("cleaned_geo"), IsOk());
  auto rows = session_->Query("SELECT ind, country, coordinates, timestamp FROM cleaned_geo ORDER BY ind");
  ASSERT_THAT(rows, IsOk());
  ASSERT_EQ(rows->rows.size(), geos.size());
  EXPECT_TRUE(rows->columns[3].type.with_time_zone);
  for (size_t k = 0; k < geos.size(); ++k) {
    const auto& r = rows->rows[k];
    model::CleanGeo got;
    got.ind = r[0].i;
    if (!r[1].is_null()) got.country = r[1].s;
    if (!r[2].is_null()) got.coordinates = std::array<double, 2>{r[2].list[0].d, r[2].list[1].d};
    if (!r[3].is_null()) got.timestamp = r[3].i;
    EXPECT_EQ(got, geos[k]) << "row " << k;
  }

  // The data file has Delta's Parquet types (parquet_schema of the very object).
  ASSERT_THAT(store_.Head("tables/cleaned_geo/" + add->path), IsOk());
  auto paths = engine::LocalPaths(*session_, store_, {"tables/cleaned_geo/" + add->path});
  ASSERT_THAT(paths, IsOk());
  auto schema = session_->Query(
      "SELECT name, type, converted_type, logical_type FROM parquet_schema(" +
      engine::QuoteLiteral((*paths)[0]) + ") WHERE name IN ('ind', 'country', 'element', 'timestamp')"
      " ORDER BY name");
  ASSERT_THAT(schema, IsOk());
  ASSERT_EQ(schema->rows.size(), 4u);
  EXPECT_EQ(engine::ToText(schema->rows[0][1]) + "|" + engine::ToText(schema->rows[0][2]), "BYTE_ARRAY|UTF8");
  EXPECT_EQ(engine::ToText(schema->rows[1][1]), "DOUBLE");
  EXPECT_EQ(engine::ToText(schema->rows[2][1]) + "|" + engine::ToText(schema->rows[2][2]), "INT64|INT_64");
  EXPECT_EQ(engine::ToText(schema->rows[3][1]) + "|" + engine::ToText(schema->rows[3][2]), "INT64|TIMESTAMP_MICROS");
  EXPECT_THAT(engine::ToText(schema->rows[3][3]), HasSubstr("isAdjustedToUTC=1"));
}

TEST_F(TableTest, NaiveTimestampsAreCastToAdjustedToUtc) {
  auto t = Create("tables/u", model::Table::kUser, *session_);
  auto add = t->WriteDataFile(
      "SELECT 1 AS ind, 'A B' AS user_name, 20 AS age, TIMESTAMP '2015-10-24 11:23:51' AS date_joined, "
      "'dropped' AS extra");
  ASSERT_THAT(add, IsOk());
  auto paths = engine::LocalPaths(*session_, store_, {"tables/u/" + add->path});
  ASSERT_THAT(paths, IsOk());
  auto r = session_->Query("SELECT logical_type FROM parquet_schema(" +
                           engine::QuoteLiteral((*paths)[0]) + ") WHERE name = 'date_joined'");
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->rows.at(0)[0].s, HasSubstr("isAdjustedToUTC=1"));
  auto cols = session_->Query("SELECT count(*) FROM parquet_schema(" +
                              engine::QuoteLiteral((*paths)[0]) + ") WHERE name = 'extra'");
  ASSERT_THAT(cols, IsOk());
  EXPECT_EQ(cols->rows[0][0], engine::Value::Int(0));
  EXPECT_THAT(t->WriteDataFile("SELECT 1 AS ind"), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(TableTest, EmptyTableViewHasTheSchema) {
  auto t = Create("tables/p", model::Table::kPin, *session_);
  ASSERT_THAT(t->CreateView("cleaned_pin"), IsOk());
  auto r = session_->Query("SELECT * FROM cleaned_pin");
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->rows.empty());
  ASSERT_EQ(r->columns.size(), 11u);
  EXPECT_EQ(r->columns[4].name, "follower_count");
  EXPECT_EQ(r->columns[4].type.kind, engine::TypeKind::kBigint);
}

TEST_F(TableTest, TxnVersionsMakeCommitsIdempotent) {
  auto t = Create("tables/t", model::Table::kUser, *session_);
  ASSERT_THAT(t->Commit(FakeAppend("a", Txn{"0a1b.user/0", 5, std::nullopt})), IsOk());
  EXPECT_EQ(t->snapshot().TxnVersion("0a1b.user/0"), 5);
  EXPECT_EQ(t->snapshot().txns.at("0a1b.user/0").last_updated, kStartMicros / 1000);
  EXPECT_EQ(t->snapshot().TxnVersion("other"), std::nullopt);
  EXPECT_THAT(t->Commit(FakeAppend("b", Txn{"0a1b.user/0", 5, std::nullopt})),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("already committed")));
  EXPECT_THAT(t->Commit(FakeAppend("b", Txn{"0a1b.user/0", 4, std::nullopt})),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(t->snapshot().version, 1);
  ASSERT_THAT(t->Commit(FakeAppend("b", Txn{"0a1b.user/0", 9, std::nullopt})), IsOk());
  EXPECT_EQ(t->snapshot().TxnVersion("0a1b.user/0"), 9);
  EXPECT_EQ(t->snapshot().files.size(), 2u);
}

TEST_F(TableTest, TwoWritersRacingLoseNoCommit) {
  Create("tables/race", model::Table::kUser, *session_);
  constexpr int kPerWriter = 25;
  std::vector<Status> failures[2];
  int attempts[2] = {0, 0};
  auto writer = [&](int id) {
    auto session = OpenSession();
    auto table = Table::Open(store_, *session, "tables/race", Options(id + 1));
    if (!table.ok()) {
      failures[id].push_back(table.status());
      return;
    }
    for (int k = 0; k < kPerWriter; ++k) {
      auto r = (*table)->Commit(FakeAppend("w" + std::to_string(id) + "-" + std::to_string(k),
                                           Txn{"writer/" + std::to_string(id), k, std::nullopt}));
      if (!r.ok()) failures[id].push_back(r.status());
      else attempts[id] += r->attempts;
    }
  };
  std::thread a(writer, 0);
  std::thread b(writer, 1);
  a.join();
  b.join();
  EXPECT_TRUE(failures[0].empty() && failures[1].empty());

  auto snapshot = LoadSnapshot(store_, *session_, "tables/race");
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_EQ(snapshot->version, 2 * kPerWriter);
  EXPECT_EQ(snapshot->files.size(), 2u * kPerWriter);
  EXPECT_EQ(snapshot->TxnVersion("writer/0"), kPerWriter - 1);
  EXPECT_EQ(snapshot->TxnVersion("writer/1"), kPerWriter - 1);
  auto listing = ListLog(store_, "tables/race");
  ASSERT_THAT(listing, IsOk());
  EXPECT_EQ(listing->commits.size(), 2u * kPerWriter + 1);  // versions 0..50, no gap
  EXPECT_EQ(listing->checkpoints, (std::vector<int64_t>{10, 20, 30, 40, 50}));
  auto replayed = LoadSnapshot(store_, *session_, "tables/race", {.version = std::nullopt, .use_checkpoints = false});
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(*replayed, *snapshot);
}

TEST_F(TableTest, RacingTheSameTxnCommitsItOnce) {
  Create("tables/once", model::Table::kUser, *session_);
  Status results[2];
  auto writer = [&](int id) {
    auto session = OpenSession();
    auto table = Table::Open(store_, *session, "tables/once", Options(id + 1));
    if (!table.ok()) {
      results[id] = table.status();
      return;
    }
    results[id] = (*table)->Commit(FakeAppend("f" + std::to_string(id), Txn{"topic/0", 100, std::nullopt})).status();
  };
  std::thread a(writer, 0);
  std::thread b(writer, 1);
  a.join();
  b.join();
  int ok = (results[0].ok() ? 1 : 0) + (results[1].ok() ? 1 : 0);
  EXPECT_EQ(ok, 1);
  for (const Status& s : results) {
    if (!s.ok()) {
      EXPECT_THAT(s, StatusIs(StatusCode::kAlreadyExists));
    }
  }
  auto snapshot = LoadSnapshot(store_, *session_, "tables/once");
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_EQ(snapshot->files.size(), 1u);
}

TEST_F(TableTest, ReplacingAfterAConcurrentCommitIsAborted) {
  auto mine = Create("tables/r", model::Table::kUser, *session_);
  ASSERT_THAT(mine->Commit(FakeAppend("old")), IsOk());
  auto other = Table::Open(store_, *session_, "tables/r", Options(9));
  ASSERT_THAT(other, IsOk());
  ASSERT_THAT((*other)->Commit(FakeAppend("concurrent")), IsOk());

  CommitRequest replace;
  replace.removes = mine->RemoveAll();
  replace.adds.push_back(AddFile{"new", {}, 1, 1, true, std::nullopt});
  replace.operation_parameters = {{"mode", "Overwrite"}, {"partitionBy", "[]"}};
  EXPECT_THAT(mine->Commit(replace), StatusIs(StatusCode::kAborted, HasSubstr("changed since")));
  ASSERT_THAT(mine->Refresh(), IsOk());
  replace.removes = mine->RemoveAll();
  auto r = mine->Commit(replace);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->version, 3);
  EXPECT_EQ(mine->snapshot().files.size(), 1u);
  EXPECT_EQ(mine->snapshot().files.count("new"), 1u);
  EXPECT_EQ(mine->snapshot().tombstones.size(), 2u);

  CommitRequest bogus;
  bogus.removes.push_back(RemoveFile{"never-added", 1, true, std::nullopt});
  EXPECT_THAT(mine->Commit(bogus), StatusIs(StatusCode::kAborted, HasSubstr("not a live file")));
}

TEST_F(TableTest, CheckpointReplayEqualsFullReplayAtEveryVersion) {
  auto t = Create("tables/cp", model::Table::kUser, *session_);
  for (int k = 1; k <= 25; ++k) {
    clock_.AdvanceMicros(1000000);
    CommitRequest r = FakeAppend("f" + std::to_string(k), Txn{"app/" + std::to_string(k % 3), k, std::nullopt});
    if (k % 4 == 0) {
      r.removes.push_back(RemoveFile{"f" + std::to_string(k - 1), clock_.NowMicros() / 1000, true, 100});
    }
    auto c = t->Commit(r);
    ASSERT_THAT(c, IsOk());
    EXPECT_THAT(c->checkpoint, IsOk());
  }
  auto last = store_.Get(LastCheckpointKey("tables/cp"));
  ASSERT_THAT(last, IsOk());
  EXPECT_THAT(*last, HasSubstr(R"({"version":20,"size":)"));
  for (int64_t v = 0; v <= 25; ++v) {
    auto with = LoadSnapshot(store_, *session_, "tables/cp", {.version = v, .use_checkpoints = true});
    auto without = LoadSnapshot(store_, *session_, "tables/cp", {.version = v, .use_checkpoints = false});
    ASSERT_THAT(with, IsOk());
    ASSERT_THAT(without, IsOk());
    EXPECT_EQ(*with, *without) << "version " << v;
    EXPECT_EQ(with->checkpoint_version, v >= 20 ? 20 : (v >= 10 ? 10 : -1));
  }
  auto latest = LoadSnapshot(store_, *session_, "tables/cp");
  ASSERT_THAT(latest, IsOk());
  EXPECT_EQ(*latest, t->snapshot());
  EXPECT_EQ(latest->files.size(), 19u);  // 25 added, 6 removed
}

TEST_F(TableTest, AGapInTheLogIsCorruption) {
  auto t = Create("tables/gap", model::Table::kUser, *session_);
  for (int k = 0; k < 3; ++k) ASSERT_THAT(t->Commit(FakeAppend("f" + std::to_string(k))), IsOk());
  ASSERT_THAT(store_.Delete(CommitKey("tables/gap", 2)), IsOk());
  EXPECT_THAT(LoadSnapshot(store_, *session_, "tables/gap"),
              StatusIs(StatusCode::kCorruption, HasSubstr("missing")));
}

TEST_F(TableTest, NewerProtocolsAreRefused) {
  ASSERT_THAT(store_.Put(CommitKey("tables/new", 0),
                         SerializeActions({Protocol{3, 7}})), IsOk());
  EXPECT_THAT(LoadSnapshot(store_, *session_, "tables/new"), StatusIs(StatusCode::kUnimplemented));
}

// A store whose conditional put lands but reports kAlreadyExists, as an S3 client sees it when
// the reply to its first attempt was lost and its retry got 412.
class LostReplyStore final : public objstore::ObjectStore {
 public:
  explicit LostReplyStore(objstore::ObjectStore& inner) : inner_(inner) {}
  bool armed = false;
  Status Put(std::string_view key, std::string_view data, const objstore::PutOptions& o) override {
    Status s = inner_.Put(key, data, o);
    if (s.ok() && armed && o.if_absent) {
      armed = false;
      return AlreadyExistsError("412 on the retry");
    }
    return s;
  }
  Result<std::string> Get(std::string_view key) override { return inner_.Get(key); }
  Result<std::string> GetRange(std::string_view key, uint64_t off, uint64_t len) override {
    return inner_.GetRange(key, off, len);
  }
  Result<objstore::ObjectInfo> Head(std::string_view key) override { return inner_.Head(key); }
  Result<objstore::ListPage> List(std::string_view prefix, std::string_view token, int max) override {
    return inner_.List(prefix, token, max);
  }
  Status Delete(std::string_view key) override { return inner_.Delete(key); }
  std::string Url() const override { return inner_.Url(); }

 private:
  objstore::ObjectStore& inner_;
};

TEST_F(TableTest, ACommitWhoseReplyWasLostIsNotMadeTwice) {
  LostReplyStore store(store_);
  auto t = Table::OpenOrCreate(store, *session_, "tables/lost", CleanTableSchema(model::Table::kUser), Options());
  ASSERT_THAT(t, IsOk());
  store.armed = true;
  auto r = (*t)->Commit(FakeAppend("once"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->version, 1);
  auto snapshot = LoadSnapshot(store_, *session_, "tables/lost");
  ASSERT_THAT(snapshot, IsOk());
  EXPECT_EQ(snapshot->version, 1);
  EXPECT_EQ(snapshot->files.size(), 1u);
}

}  // namespace
}  // namespace pinpipe::delta
