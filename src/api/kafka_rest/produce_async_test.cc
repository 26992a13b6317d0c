// The deferred v2 produce path end to end: ApiServer (one io thread, the v2 routes answering
// from the log's commit thread) over the real EmbeddedTopicLog on a fault-injecting in-memory
// FileSystem, requests over raw sockets. Concurrent requests share fsyncs and every 200 is a
// stored record at its offset; a failed fsync fails every request of its group and then the
// partition refuses; a graceful stop waits for produce answers still pending.
#include <future>
#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "api/api_server.h"
#include "api/kafka_rest/append.h"
#include "base/status_matchers.h"
#include "http/test_client.h"
#include "io/fault_injection_file_system.h"
#include "io/mem_file_system.h"
#include "log/embedded_topic_log.h"
#include "log/partitioner.h"

namespace pinpipe::api {
namespace {

using namespace std::chrono_literals;
using ::pinpipe::testing::IsOk;
using ::testing::HasSubstr;

constexpr std::string_view kJsonHeaders = "Content-Type: application/vnd.kafka.json.v2+json\r\n";

std::string ProduceBody(const std::string& value) {
  return R"({"records":[{"value":{"v":")" + value + R"("}}]})";
}

// The first entry of a produce response's "offsets": offset (or -1) and error_code (or 0).
struct Offset {
  int64_t offset = -1;
  int64_t error_code = 0;
};
Offset ParseOffset(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  Offset o;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) return o;
  simdjson::dom::element first = root["offsets"].at(0);
  if (!first["offset"].is_null()) o.offset = first["offset"].get_int64().value();
  if (!first["error_code"].is_null()) o.error_code = first["error_code"].get_int64().value();
  return o;
}

class ProduceAsyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(mem_.CreateDir("/data"), IsOk());
    auto log = log::EmbeddedTopicLog::Open(&fault_, "/data/log");
    ASSERT_THAT(log, IsOk());
    log_ = std::move(*log);
    ASSERT_THAT(log_->CreateTopic("t", log::TopicConfig{}), IsOk());
    ApiServerOptions o;
    o.http.io_threads = 1;
    o.kafka.validate_records = false;
    auto server = ApiServer::Start(log_.get(), Clock::Real(), o);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
  }
  void TearDown() override {
    if (server_) {
      EXPECT_THAT(server_->Stop(5s), IsOk());
    }
  }

  io::MemFileSystem mem_;
  io::FaultInjectionFileSystem fault_{&mem_};
  std::unique_ptr<log::EmbeddedTopicLog> log_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(ProduceAsyncTest, ConcurrentRequestsShareFsyncsAndEvery200IsStoredAtItsOffset) {
  fault_.SetSyncDelayMicros(2000);  // a disk-like fdatasync, so requests queue behind it
  const int64_t syncs_before = fault_.file_sync_count();
  constexpr int kClients = 16;
  constexpr int kRequests = 20;
  std::vector<std::map<int64_t, std::string>> acked(kClients);  // offset -> value
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      http::testing::RawClient client;
      ASSERT_TRUE(client.Connect(server_->port()));
      for (int i = 0; i < kRequests; ++i) {  // keep-alive: one connection per client
        std::string value = std::to_string(c) + "-" + std::to_string(i);
        ASSERT_TRUE(client.Send(
            http::testing::MakeRequest("POST", "/topics/t", ProduceBody(value), kJsonHeaders)));
        auto r = client.Read();
        ASSERT_EQ(r.status, 200) << r.body;
        Offset o = ParseOffset(r.body);
        ASSERT_GE(o.offset, 0) << r.body;
        acked[c][o.offset] = value;
      }
    });
  }
  for (auto& t : clients) t.join();

  std::map<int64_t, std::string> all;
  for (const auto& m : acked) {
    for (const auto& [offset, value] : m) {
      EXPECT_TRUE(all.emplace(offset, value).second) << "offset " << offset << " twice";
    }
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(kClients * kRequests));
  auto stored = log_->Read("t", 0, 0, SIZE_MAX);
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->size(), all.size());
  for (const auto& rec : *stored) {
    EXPECT_EQ(rec.record.value, R"({"v":")" + all[rec.offset] + R"("})") << rec.offset;
  }
  const int64_t syncs = fault_.file_sync_count() - syncs_before;
  EXPECT_LT(syncs, kClients * kRequests) << "group commit should merge concurrent requests";
  EXPECT_THAT(server_->MetricsText(), HasSubstr("pinpipe_produce_records_total 320"));
}

// Records of one request bound for different partitions are appended per partition and
// joined: each gets its own partition and offset, in request order.
TEST_F(ProduceAsyncTest, ARequestToSeveralPartitionsIsAnsweredPerRecordInOrder) {
  ASSERT_THAT(log_->CreateTopic("p3", log::TopicConfig{.partitions = 3}), IsOk());
  http::testing::RawClient client;
  ASSERT_TRUE(client.Connect(server_->port()));
  const std::string body = R"({"records":[{"partition":2,"value":{"a":0}},{"value":{"a":1}},)"
                           R"({"partition":0,"value":{"a":2}},{"partition":2,"value":{"a":3}}]})";
  ASSERT_TRUE(client.Send(http::testing::MakeRequest("POST", "/topics/p3", body, kJsonHeaders)));
  auto r = client.Read();
  ASSERT_EQ(r.status, 200) << r.body;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(r.body).get(root), simdjson::SUCCESS) << r.body;
  simdjson::dom::array offsets;
  ASSERT_EQ(root["offsets"].get_array().get(offsets), simdjson::SUCCESS) << r.body;
  ASSERT_EQ(offsets.size(), 4u) << r.body;
  std::vector<std::pair<int64_t, int64_t>> where;  // (partition, offset) of each record
  for (simdjson::dom::element o : offsets) {
    EXPECT_TRUE(o["error_code"].is_null()) << r.body;
    where.emplace_back(o["partition"].get_int64().value(), o["offset"].get_int64().value());
  }
  EXPECT_EQ(where[0].first, 2);
  EXPECT_EQ(where[2].first, 0);
  EXPECT_EQ(where[3], std::make_pair(int64_t{2}, where[0].second + 1));
  for (int i = 0; i < 4; ++i) {
    auto stored = log_->Read("p3", static_cast<int32_t>(where[i].first), where[i].second, 1);
    ASSERT_THAT(stored, IsOk());
    ASSERT_FALSE(stored->empty());
    EXPECT_EQ(stored->front().record.value, R"({"a":)" + std::to_string(i) + "}") << i;
  }
}

TEST(UniformPartitionTest, OnePartitionExactlyWhenTheLogWouldUseOne) {
  using kafka_rest::UniformPartition;
  auto records = [](std::vector<std::optional<std::string_view>> keys) { return keys; };
  // Two keys that murmur2 sends to the same one of 3 partitions, and one that it does not.
  std::string a = "k0", b, c;
  for (int i = 1; b.empty() || c.empty(); ++i) {
    std::string k = "k" + std::to_string(i);
    bool same = log::PartitionForKey(k, 3) == log::PartitionForKey(a, 3);
    if (same && b.empty()) b = k;
    if (!same && c.empty()) c = k;
  }
  using Where = std::vector<std::optional<int32_t>>;
  std::optional<int32_t> p = 99;
  EXPECT_TRUE(UniformPartition(records({a, std::nullopt}), Where{1, 1}, 3, &p));
  EXPECT_EQ(p, 1);
  EXPECT_FALSE(UniformPartition(records({a, a}), Where{1, 2}, 3, &p));
  EXPECT_FALSE(UniformPartition(records({a, a}), Where{1, std::nullopt}, 3, &p));
  EXPECT_TRUE(UniformPartition(records({std::nullopt, std::nullopt}), Where(2), 3, &p));
  EXPECT_EQ(p, std::nullopt);  // the log's round-robin pick
  EXPECT_TRUE(UniformPartition(records({a, b}), Where(2), 3, &p));
  EXPECT_EQ(p, log::PartitionForKey(a, 3));
  EXPECT_FALSE(UniformPartition(records({a, c}), Where(2), 3, &p));
  EXPECT_FALSE(UniformPartition(records({a, std::nullopt}), Where(2), 3, &p));
  EXPECT_TRUE(UniformPartition(records({a, c}), Where(2), 1, &p));
  EXPECT_EQ(p, 0);
  EXPECT_FALSE(UniformPartition({}, Where{}, 3, &p));
}

TEST_F(ProduceAsyncTest, KeyedRecordsOfOneRequestLandWhereTheirKeysSendThem) {
  ASSERT_THAT(log_->CreateTopic("k3", log::TopicConfig{.partitions = 3}), IsOk());
  http::testing::RawClient client;
  ASSERT_TRUE(client.Connect(server_->port()));
  // Binary keys "a" and "b" (base64 YQ== and Yg==), each alone and together.
  for (const char* body :
       {R"({"records":[{"key":"YQ==","value":"eA=="}]})",
        R"({"records":[{"key":"Yg==","value":"eQ=="}]})",
        R"({"records":[{"key":"YQ==","value":"eg=="},{"key":"Yg==","value":"dw=="}]})"}) {
    ASSERT_TRUE(client.Send(http::testing::MakeRequest(
        "POST", "/topics/k3", body, "Content-Type: application/vnd.kafka.binary.v2+json\r\n")));
    auto r = client.Read();
    ASSERT_EQ(r.status, 200) << r.body;
  }
  const int32_t pa = log::PartitionForKey("a", 3), pb = log::PartitionForKey("b", 3);
  std::map<std::string, int32_t> landed;  // value -> partition
  for (int32_t p = 0; p < 3; ++p) {
    auto stored = log_->Read("k3", p, 0, 1 << 20);
    ASSERT_THAT(stored, IsOk());
    for (const auto& s : *stored) landed[s.record.value] = p;
  }
  EXPECT_EQ(landed["x"], pa);
  EXPECT_EQ(landed["y"], pb);
  EXPECT_EQ(landed["z"], pa);
  EXPECT_EQ(landed["w"], pb);
}

TEST_F(ProduceAsyncTest, TheResponseIsConfluentsBytesForSuccessesAndFailures) {
  http::testing::RawClient client;
  ASSERT_TRUE(client.Connect(server_->port()));
  ASSERT_TRUE(client.Send(http::testing::MakeRequest("POST", "/topics/t/partitions/0",
                                                     R"({"records":[{"value":1},{"value":[2]}]})",
                                                     kJsonHeaders)));
  auto ok = client.Read();
  EXPECT_EQ(ok.body, R"({"offsets":[{"partition":0,"offset":0,"error_code":null,"error":null},)"
                     R"({"partition":0,"offset":1,"error_code":null,"error":null}],)"
                     R"("key_schema_id":null,"value_schema_id":null})");
  fault_.FailNthSync(1);
  ASSERT_TRUE(client.Send(http::testing::MakeRequest(
      "POST", "/topics/t/partitions/0", R"({"records":[{"value":3}]})", kJsonHeaders)));
  auto failed = client.Read();
  EXPECT_EQ(failed.status, 200);
  EXPECT_THAT(failed.body, ::testing::StartsWith(
                               R"({"offsets":[{"partition":null,"offset":null,"error_code":50002,)"
                               R"("error":")"));
  EXPECT_THAT(failed.body,
              ::testing::EndsWith(R"("}],"key_schema_id":null,"value_schema_id":null})"));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(failed.body).get(root), simdjson::SUCCESS) << failed.body;
}

TEST_F(ProduceAsyncTest, AFailedFsyncFailsEveryWaitingRequestAndNothingIsStored) {
  fault_.SetSyncDelayMicros(2000);
  fault_.FailNthSync(1);
  constexpr int kClients = 8;
  std::vector<Offset> results(kClients);
  std::vector<int> statuses(kClients);
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      http::testing::RawClient client;
      ASSERT_TRUE(client.Connect(server_->port()));
      ASSERT_TRUE(client.Send(
          http::testing::MakeRequest("POST", "/topics/t", ProduceBody("x"), kJsonHeaders)));
      auto r = client.Read();
      statuses[c] = r.status;
      results[c] = ParseOffset(r.body);
    });
  }
  for (auto& t : clients) t.join();
  // The first group's fsync failed (kIOError) and every later group was refused
  // (kFailedPrecondition): each request is answered with Confluent's producer error.
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(statuses[c], 200);
    EXPECT_EQ(results[c].offset, -1) << c;
    EXPECT_EQ(results[c].error_code, 50002) << c;
  }
  auto offsets = log_->GetOffsets("t", 0);
  ASSERT_THAT(offsets, IsOk());
  EXPECT_EQ(offsets->end_offset, 0);
  EXPECT_EQ(log_->stats().refusing_partitions, 1u);
}

TEST_F(ProduceAsyncTest, GracefulStopAnswersAPendingProduceFirst) {
  fault_.SetSyncDelayMicros(300'000);  // the answer is pending when Stop begins
  http::testing::RawClient client;
  ASSERT_TRUE(client.Connect(server_->port()));
  ASSERT_TRUE(client.Send(
      http::testing::MakeRequest("POST", "/topics/t", ProduceBody("last"), kJsonHeaders)));
  ASSERT_TRUE(http::testing::Eventually([&] { return log_->stats().appends == 1; }));
  auto stop = std::async(std::launch::async, [&] { return server_->Stop(30s); });
  auto r = client.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(ParseOffset(r.body).offset, 0);
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_THAT(stop.get(), IsOk());
  server_.reset();
  auto stored = log_->Read("t", 0, 0, SIZE_MAX);
  ASSERT_THAT(stored, IsOk());
  ASSERT_EQ(stored->size(), 1u);
}

TEST_F(ProduceAsyncTest, RefusedRequestsAreAnsweredAtOnceAndWriteNothing) {
  http::testing::RawClient client;
  ASSERT_TRUE(client.Connect(server_->port()));
  ASSERT_TRUE(client.Send(
      http::testing::MakeRequest("POST", "/topics/nope", ProduceBody("x"), kJsonHeaders) +
      http::testing::MakeRequest("POST", "/topics/t", "{bad json", kJsonHeaders) +
      http::testing::MakeRequest("POST", "/topics/t/partitions/3", ProduceBody("x"), kJsonHeaders) +
      http::testing::MakeRequest("POST", "/topics/t", ProduceBody("ok"), kJsonHeaders)));
  auto r1 = client.Read();
  EXPECT_EQ(r1.status, 404);
  EXPECT_THAT(r1.body, HasSubstr("40401"));
  EXPECT_EQ(client.Read().status, 400);
  auto r3 = client.Read();
  EXPECT_EQ(r3.status, 404);
  EXPECT_THAT(r3.body, HasSubstr("40402"));
  auto r4 = client.Read();
  EXPECT_EQ(r4.status, 200);
  EXPECT_EQ(ParseOffset(r4.body).offset, 0);  // the refused ones took no offset
  EXPECT_THAT(server_->MetricsText(), HasSubstr("pinpipe_produce_refused_requests_total 3"));
}

}  // namespace
}  // namespace pinpipe::api
