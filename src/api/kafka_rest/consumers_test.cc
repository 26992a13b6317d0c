// The v2 consumer API end to end: a real http::Server on an ephemeral port, the real
// EmbeddedTopicLog on an in-memory FileSystem, requests over a raw socket.
#include "api/kafka_rest/consumers.h"

#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"
#include "http/test_client.h"
#include "io/mem_file_system.h"
#include "log/embedded_topic_log.h"

namespace pinpipe::api::kafka_rest {
namespace {

using ::pinpipe::testing::IsOk;
using ::testing::HasSubstr;

constexpr std::string_view kJson = "application/vnd.kafka.json.v2+json";
constexpr std::string_view kBinary = "application/vnd.kafka.binary.v2+json";
constexpr std::string_view kV2 = "application/vnd.kafka.v2+json";

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
};

class ConsumersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = log::EmbeddedTopicLog::Open(&fs_, "/data");
    ASSERT_THAT(log, IsOk());
    log_ = std::move(*log);
    ASSERT_THAT(log_->CreateTopic("t", log::TopicConfig{}), IsOk());
    options_.advertised_url = "http://127.0.0.1:8082";
  }

  void TearDown() override {
    if (server_) {
      EXPECT_THAT(server_->Stop(std::chrono::seconds(5)), IsOk());
    }
  }

  void Start(Clock* clock = Clock::Real()) {
    manager_ = std::make_unique<ConsumerManager>(log_.get(), clock, options_);
    http::Router router;
    ASSERT_THAT(manager_->Register(router), IsOk());
    http::ServerOptions so;
    so.handler_threads = 4;  // a long poll must not block other requests
    server_ = http::testing::StartServer(so, std::move(router));
    ASSERT_NE(server_, nullptr);
  }

  Reply Call(std::string_view method, const std::string& target, std::string_view body = {},
             std::string_view accept = kV2) {
    http::testing::RawClient c;
    EXPECT_TRUE(c.Connect(server_->port()));
    std::string headers;
    if (!accept.empty()) headers += "Accept: " + std::string(accept) + "\r\n";
    if (!body.empty()) headers += "Content-Type: application/vnd.kafka.v2+json\r\n";
    EXPECT_TRUE(c.Send(http::testing::MakeRequest(method, target, body, headers)));
    http::testing::ClientResponse r = c.Read();
    return {r.status, r.body, r.headers["content-type"]};
  }

  // Creates instance `name` in `group` with the given extra config fields (JSON members).
  void Create(const std::string& group, const std::string& name, const std::string& extra) {
    Reply r = Call("POST", "/consumers/" + group,
                   "{\"name\":\"" + name + "\"" + (extra.empty() ? "" : "," + extra) + "}");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string Base(const std::string& group, const std::string& name) {
    return "/consumers/" + group + "/instances/" + name;
  }
  void SubscribeTo(const std::string& group, const std::string& name, const std::string& topic) {
    Reply r = Call("POST", Base(group, name) + "/subscription", "{\"topics\":[\"" + topic + "\"]}");
    ASSERT_EQ(r.status, 204) << r.body;
  }
  void Append(const std::string& topic, std::optional<std::string> key, std::string value) {
    log::Record rec;
    rec.key = std::move(key);
    rec.value = std::move(value);
    ASSERT_THAT(log_->Append(topic, log::PartitionChoice::Explicit(0),
                             std::span<const log::Record>(&rec, 1)),
                IsOk());
  }
  Reply Records(const std::string& group, const std::string& name, std::string_view accept,
                const std::string& query = "?timeout=50") {
    return Call("GET", Base(group, name) + "/records" + query, {}, accept);
  }
  std::optional<int64_t> Committed(const std::string& group, int32_t partition = 0) {
    auto c = log_->FetchCommitted(group, "t", partition);
    EXPECT_THAT(c, IsOk());
    return c.ok() ? *c : std::nullopt;
  }

  io::MemFileSystem fs_;
  std::unique_ptr<log::EmbeddedTopicLog> log_;
  KafkaRestOptions options_;
  std::unique_ptr<ConsumerManager> manager_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(ConsumersTest, CreateReturnsInstanceIdAndBaseUri) {
  Start();
  Reply r = Call("POST", "/consumers/g", R"({"name":"c1","format":"json"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kV2);
  EXPECT_EQ(r.body,
            R"({"instance_id":"c1","base_uri":"http://127.0.0.1:8082/consumers/g/instances/c1"})");

  Reply anon = Call("POST", "/consumers/g", "");
  ASSERT_EQ(anon.status, 200);
  EXPECT_THAT(anon.body, HasSubstr(R"({"instance_id":"rest-consumer-)"));
  EXPECT_EQ(manager_->instance_count(), 2u);
}

TEST_F(ConsumersTest, DuplicateNameIs40902) {
  Start();
  Create("g", "c1", "");
  Reply r = Call("POST", "/consumers/g", R"({"name":"c1"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_THAT(r.body, HasSubstr(R"("error_code":40902)"));
  // The same name in another group is another instance.
  EXPECT_EQ(Call("POST", "/consumers/g2", R"({"name":"c1"})").status, 200);
}

TEST_F(ConsumersTest, BadConfigIs42204) {
  Start();
  for (const char* body :
       {R"({"format":"avro"})", R"({"format":"protobuf"})", R"({"format":"xml"})",
        R"({"auto.offset.reset":"smallest"})", R"({"auto.commit.enable":"maybe"})",
        R"({"consumer.request.timeout.ms":"soon"})"}) {
    Reply r = Call("POST", "/consumers/g", body);
    EXPECT_EQ(r.status, 422) << body;
    EXPECT_THAT(r.body, HasSubstr(R"("error_code":42204)")) << body;
  }
  Reply unknown = Call("POST", "/consumers/g", R"({"fromat":"json"})");
  EXPECT_EQ(unknown.status, 422);
  EXPECT_THAT(unknown.body, HasSubstr("Unrecognized field: fromat"));
  EXPECT_EQ(Call("POST", "/consumers/g", "{nope").status, 400);
  EXPECT_EQ(manager_->instance_count(), 0u);
}

TEST_F(ConsumersTest, UnknownInstanceIs40403) {
  Start();
  const std::string base = Base("g", "ghost");
  for (auto [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"DELETE", base},
                                                        {"GET", base + "/subscription"},
                                                        {"GET", base + "/records"},
                                                        {"GET", base + "/assignments"}}) {
    Reply r = Call(method, target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body, R"({"error_code":40403,"message":"Consumer instance not found."})");
  }
  Reply sub = Call("POST", base + "/subscription", R"({"topics":["t"]})");
  EXPECT_EQ(sub.status, 404);
  EXPECT_THAT(sub.body, HasSubstr("40403"));
}

TEST_F(ConsumersTest, JsonRecordsEmbedStoredJson) {
  Start();
  Create("g", "c", R"("format":"json","auto.offset.reset":"earliest")");
  SubscribeTo("g", "c", "t");
  Append("t", R"({"id":1})", R"({"a":"x","n":[1,2.5]})");
  Append("t", std::nullopt, "[true,null]");
  Append("t", std::nullopt, "not json");
  Reply r = Records("g", "c", kJson);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kJson);
  EXPECT_EQ(
      r.body,
      R"([{"topic":"t","key":{"id":1},"value":{"a":"x","n":[1,2.5]},"partition":0,"offset":0},)"
      R"({"topic":"t","key":null,"value":[true,null],"partition":0,"offset":1},)"
      R"({"topic":"t","key":null,"value":"not json","partition":0,"offset":2}])");
}

TEST_F(ConsumersTest, BinaryRecordsAreBase64) {
  Start();
  Create("g", "c", R"("format":"binary","auto.offset.reset":"earliest")");
  SubscribeTo("g", "c", "t");
  Append("t", "k", "hello");
  Append("t", std::nullopt, std::string("\x00\xff", 2));
  Reply r = Records("g", "c", kBinary);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kBinary);
  EXPECT_EQ(r.body, R"([{"topic":"t","key":"aw==","value":"aGVsbG8=","partition":0,"offset":0},)"
                    R"({"topic":"t","key":null,"value":"AP8=","partition":0,"offset":1}])");
  // Nothing new: an empty array once the (short) poll times out.
  EXPECT_EQ(Records("g", "c", kBinary).body, "[]");
}

TEST_F(ConsumersTest, AcceptMustMatchFormat) {
  Start();
  Create("g", "j", R"("format":"json")");
  Create("g", "b", R"("format":"binary")");
  Reply wrong = Records("g", "j", kBinary);
  EXPECT_EQ(wrong.status, 406);
  EXPECT_THAT(wrong.body, HasSubstr(R"("error_code":40601)"));
  // A plain v2 Accept means binary (Confluent's binary read also produces it).
  EXPECT_EQ(Records("g", "j", kV2).status, 406);
  EXPECT_EQ(Records("g", "b", kV2).status, 200);
  EXPECT_EQ(Records("g", "b", kJson).status, 406);
  Reply unsupported = Records("g", "b", "text/html");
  EXPECT_EQ(unsupported.status, 406);
  EXPECT_EQ(unsupported.body, "");
}

TEST_F(ConsumersTest, ExplicitCommitThenNewInstanceResumes) {
  Start();
  Create("g", "c1",
         R"("format":"binary","auto.offset.reset":"earliest","auto.commit.enable":"false")");
  SubscribeTo("g", "c1", "t");
  for (int i = 0; i < 3; i++) Append("t", std::nullopt, "v" + std::to_string(i));
  Reply r = Records("g", "c1", kBinary);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr(R"("offset":2)"));

  // Confluent's v2 commit names the last record consumed; the group stores the next offset.
  Reply commit = Call("POST", Base("g", "c1") + "/offsets",
                      R"({"offsets":[{"topic":"t","partition":0,"offset":0}]})");
  EXPECT_EQ(commit.status, 200);
  EXPECT_EQ(commit.body, "[]");
  EXPECT_EQ(Committed("g"), 1);
  Reply got =
      Call("GET", Base("g", "c1") + "/offsets",
           R"({"partitions":[{"topic":"t","partition":0},{"topic":"other","partition":0}]})");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, R"({"offsets":[{"topic":"t","partition":0,"offset":1,"metadata":""}]})");

  // Auto commit is off: deleting commits nothing more.
  EXPECT_EQ(Call("DELETE", Base("g", "c1")).status, 204);
  EXPECT_EQ(Committed("g"), 1);
  EXPECT_EQ(Records("g", "c1", kBinary).status, 404);

  Create("g", "c2", R"("format":"binary","auto.commit.enable":"false")");
  SubscribeTo("g", "c2", "t");
  Reply resumed = Records("g", "c2", kBinary);
  EXPECT_EQ(resumed.body, R"([{"topic":"t","key":null,"value":"djE=","partition":0,"offset":1},)"
                          R"({"topic":"t","key":null,"value":"djI=","partition":0,"offset":2}])");

  // An empty commit commits everything fetched so far.
  EXPECT_EQ(Call("POST", Base("g", "c2") + "/offsets", "").status, 200);
  EXPECT_EQ(Committed("g"), 3);
}

TEST_F(ConsumersTest, AutoCommitOnNextPollAndOnDelete) {
  Start();
  Create("g", "c1", R"("format":"binary","auto.offset.reset":"earliest")");
  SubscribeTo("g", "c1", "t");
  Append("t", std::nullopt, "a");
  Append("t", std::nullopt, "b");
  EXPECT_THAT(Records("g", "c1", kBinary).body, HasSubstr(R"("offset":1)"));
  // The poll committed the position it started from; the records it returned are committed
  // only once the client asks for more.
  EXPECT_EQ(Committed("g"), 0);
  EXPECT_EQ(Records("g", "c1", kBinary).body, "[]");
  EXPECT_EQ(Committed("g"), 2);

  Append("t", std::nullopt, "c");
  EXPECT_THAT(Records("g", "c1", kBinary).body, HasSubstr(R"("offset":2)"));
  EXPECT_EQ(Call("DELETE", Base("g", "c1")).status, 204);
  EXPECT_EQ(Committed("g"), 3);

  Create("g", "c2", R"("format":"binary","auto.offset.reset":"earliest")");
  SubscribeTo("g", "c2", "t");
  Append("t", std::nullopt, "d");
  EXPECT_EQ(Records("g", "c2", kBinary).body,
            R"([{"topic":"t","key":null,"value":"ZA==","partition":0,"offset":3}])");
}

TEST_F(ConsumersTest, AutoOffsetReset) {
  Start();
  Append("t", std::nullopt, "old");
  Create("g1", "late", R"("auto.offset.reset":"latest")");
  Create("g2", "early", R"("auto.offset.reset":"earliest")");
  Create("g3", "dflt", "");
  SubscribeTo("g1", "late", "t");
  SubscribeTo("g2", "early", "t");
  SubscribeTo("g3", "dflt", "t");
  Append("t", std::nullopt, "new");
  EXPECT_EQ(Records("g1", "late", kBinary).body,
            R"([{"topic":"t","key":null,"value":"bmV3","partition":0,"offset":1}])");
  EXPECT_EQ(Records("g3", "dflt", kBinary).body,
            R"([{"topic":"t","key":null,"value":"bmV3","partition":0,"offset":1}])");
  Reply early = Records("g2", "early", kBinary);
  EXPECT_THAT(early.body, HasSubstr(R"("value":"b2xk","partition":0,"offset":0)"));
  EXPECT_THAT(early.body, HasSubstr(R"("offset":1)"));
}

TEST_F(ConsumersTest, PositionsBeginningEndAndExplicit) {
  Start();
  for (int i = 0; i < 4; i++) Append("t", std::nullopt, std::to_string(i));
  Create("g", "c", R"("auto.offset.reset":"earliest","auto.commit.enable":"false")");
  SubscribeTo("g", "c", "t");
  const std::string base = Base("g", "c");
  const std::string part = R"({"partitions":[{"topic":"t","partition":0}]})";

  EXPECT_EQ(Call("POST", base + "/positions/end", part).status, 204);
  EXPECT_EQ(Records("g", "c", kBinary).body, "[]");

  EXPECT_EQ(
      Call("POST", base + "/positions", R"({"offsets":[{"topic":"t","partition":0,"offset":3}]})")
          .status,
      204);
  EXPECT_EQ(Records("g", "c", kBinary).body,
            R"([{"topic":"t","key":null,"value":"Mw==","partition":0,"offset":3}])");

  EXPECT_EQ(Call("POST", base + "/positions/beginning", part).status, 204);
  EXPECT_THAT(Records("g", "c", kBinary).body, HasSubstr(R"("offset":0)"));

  // Seeking a partition that is not assigned to the instance.
  Reply unassigned = Call("POST", base + "/positions/beginning",
                          R"({"partitions":[{"topic":"t","partition":7}]})");
  EXPECT_EQ(unassigned.status, 409);
  EXPECT_THAT(unassigned.body, HasSubstr(R"("error_code":40903)"));
}

TEST_F(ConsumersTest, SubscriptionAndAssignmentAreExclusive) {
  Start();
  ASSERT_THAT(log_->CreateTopic("u", log::TopicConfig{.partitions = 2}), IsOk());
  Create("g", "s", "");
  Create("g", "a", "");
  SubscribeTo("g", "s", "u");
  Reply sub = Call("GET", Base("g", "s") + "/subscription");
  EXPECT_EQ(sub.status, 200);
  EXPECT_EQ(sub.body, R"({"topics":["u"]})");
  EXPECT_EQ(Call("GET", Base("g", "s") + "/assignments").body,
            R"({"partitions":[{"topic":"u","partition":0},{"topic":"u","partition":1}]})");
  Reply mixed = Call("POST", Base("g", "s") + "/assignments",
                     R"({"partitions":[{"topic":"t","partition":0}]})");
  EXPECT_EQ(mixed.status, 409);
  EXPECT_THAT(mixed.body, HasSubstr(R"("error_code":40903)"));
  Reply pattern = Call("POST", Base("g", "s") + "/subscription", R"({"topic_pattern":"u.*"})");
  EXPECT_EQ(pattern.status, 409);

  EXPECT_EQ(Call("POST", Base("g", "a") + "/assignments",
                 R"({"partitions":[{"topic":"u","partition":1}]})")
                .status,
            204);
  EXPECT_EQ(Call("GET", Base("g", "a") + "/assignments").body,
            R"({"partitions":[{"topic":"u","partition":1}]})");
  EXPECT_EQ(Call("POST", Base("g", "a") + "/subscription", R"({"topics":["t"]})").status, 409);

  // Unsubscribing clears either kind.
  EXPECT_EQ(Call("DELETE", Base("g", "s") + "/subscription").status, 204);
  EXPECT_EQ(Call("GET", Base("g", "s") + "/subscription").body, R"({"topics":[]})");
  EXPECT_EQ(Call("POST", Base("g", "s") + "/assignments",
                 R"({"partitions":[{"topic":"t","partition":0}]})")
                .status,
            204);
}

TEST_F(ConsumersTest, PatternSubscriptionReadsTopicsCreatedLater) {
  Start();
  Create("g", "c", R"("format":"binary")");
  ASSERT_EQ(Call("POST", Base("g", "c") + "/subscription", R"({"topic_pattern":"p\\..*"})").status,
            204);
  EXPECT_EQ(Call("GET", Base("g", "c") + "/subscription").body, R"({"topics":[]})");
  ASSERT_THAT(log_->CreateTopic("p.one", log::TopicConfig{}), IsOk());
  Append("p.one", std::nullopt, "x");  // newer than the subscription: read even with "latest"
  EXPECT_EQ(Call("GET", Base("g", "c") + "/subscription").body, R"({"topics":["p.one"]})");
  EXPECT_EQ(Records("g", "c", kBinary).body,
            R"([{"topic":"p.one","key":null,"value":"eA==","partition":0,"offset":0}])");
  Reply bad = Call("POST", Base("g", "c") + "/subscription", R"({"topic_pattern":"(["})");
  EXPECT_EQ(bad.status, 422);
}

TEST_F(ConsumersTest, SubscribingToAnUnknownTopicWaitsForIt) {
  Start();
  Create("g", "c", R"("format":"binary")");
  SubscribeTo("g", "c", "later");
  EXPECT_EQ(Records("g", "c", kBinary).body, "[]");
  ASSERT_THAT(log_->CreateTopic("later", log::TopicConfig{}), IsOk());
  Append("later", std::nullopt, "x");
  EXPECT_THAT(Records("g", "c", kBinary).body, HasSubstr(R"("topic":"later")"));
}

TEST_F(ConsumersTest, MaxBytesAndMaxPollRecords) {
  options_.max_poll_records = 5;
  Start();
  Create("g", "c", R"("auto.offset.reset":"earliest","auto.commit.enable":"false")");
  SubscribeTo("g", "c", "t");
  for (int i = 0; i < 8; i++) Append("t", std::nullopt, std::string(10, 'a' + i));
  auto count = [](const std::string& body) {
    size_t n = 0;
    for (size_t p = body.find("\"offset\""); p != std::string::npos;
         p = body.find("\"offset\"", p + 1)) {
      n++;
    }
    return n;
  };
  // 10-byte values: 25 bytes fit two.
  Reply two = Records("g", "c", kBinary, "?timeout=50&max_bytes=25");
  EXPECT_EQ(count(two.body), 2u) << two.body;
  // Always at least one record, even over max_bytes.
  Reply one = Records("g", "c", kBinary, "?timeout=50&max_bytes=1");
  EXPECT_EQ(count(one.body), 1u);
  EXPECT_THAT(one.body, HasSubstr(R"("offset":2)"));
  // max_poll_records caps the rest.
  Reply five = Records("g", "c", kBinary);
  EXPECT_EQ(count(five.body), 5u);
  EXPECT_THAT(five.body, HasSubstr(R"("offset":7)"));
}

TEST_F(ConsumersTest, LongPollReturnsEmptyAfterTimeout) {
  Start();
  Create("g", "c", R"("consumer.request.timeout.ms":300)");
  SubscribeTo("g", "c", "t");
  Reply r = Records("g", "c", kBinary, "?timeout=200");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[]");
}

TEST_F(ConsumersTest, LongPollWakesUpForANewRecord) {
  Start();
  Create("g", "c", R"("consumer.request.timeout.ms":10000)");
  SubscribeTo("g", "c", "t");
  std::thread producer([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Append("t", std::nullopt, "late");
  });
  auto start = std::chrono::steady_clock::now();
  Reply r = Records("g", "c", kBinary, "?timeout=10000");
  producer.join();
  EXPECT_EQ(r.body, R"([{"topic":"t","key":null,"value":"bGF0ZQ==","partition":0,"offset":0}])");
  // It returned with the record, not at the end of the 10 s timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
}

TEST_F(ConsumersTest, LongPollDoesNotBlockOtherInstances) {
  Start();
  Create("g", "waiting", R"("consumer.request.timeout.ms":3000)");
  Create("g", "other", R"("auto.offset.reset":"earliest")");
  SubscribeTo("g", "waiting", "t");
  std::thread poll(
      [this] { EXPECT_EQ(Records("g", "waiting", kBinary, "?timeout=3000").status, 200); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  SubscribeTo("g", "other", "t");
  EXPECT_EQ(Call("GET", Base("g", "other") + "/assignments").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
  poll.join();
}

TEST_F(ConsumersTest, IdleInstancesExpireAndAutoCommit) {
  options_.consumer_instance_timeout_ms = 1000;
  FakeClock clock(1'000'000'000);
  Start(&clock);
  Create("g", "idle", R"("auto.offset.reset":"earliest")");
  Create("g", "busy", "");
  SubscribeTo("g", "idle", "t");
  Append("t", std::nullopt, "x");
  ASSERT_THAT(Records("g", "idle", kBinary).body, HasSubstr(R"("offset":0)"));

  clock.AdvanceMicros(600'000);
  EXPECT_EQ(Call("GET", Base("g", "busy") + "/subscription").status, 200);
  clock.AdvanceMicros(600'000);  // idle: 1.2 s since its last request; busy: 0.6 s
  manager_->ExpireIdle();
  EXPECT_EQ(manager_->instance_count(), 1u);
  EXPECT_EQ(Committed("g"), 1);  // expiry auto-committed what idle had fetched
  EXPECT_EQ(Records("g", "idle", kBinary).status, 404);
  EXPECT_EQ(Call("GET", Base("g", "busy") + "/subscription").status, 200);

  // Expiry also runs lazily at the start of any consumer request.
  clock.AdvanceMicros(1'500'000);
  EXPECT_EQ(Call("POST", "/consumers/other", "").status, 200);
  EXPECT_EQ(Call("GET", Base("g", "busy") + "/subscription").status, 404);
}

TEST_F(ConsumersTest, CloseAllCommitsAndForgetsInstances) {
  Start();
  Create("g", "c", R"("auto.offset.reset":"earliest")");
  SubscribeTo("g", "c", "t");
  Append("t", std::nullopt, "x");
  ASSERT_EQ(Records("g", "c", kBinary).status, 200);
  EXPECT_THAT(manager_->CloseAll(), IsOk());
  EXPECT_EQ(manager_->instance_count(), 0u);
  EXPECT_EQ(Committed("g"), 1);
}

TEST_F(ConsumersTest, MalformedBodiesAreRefused) {
  Start();
  Create("g", "c", "");
  Reply sub = Call("POST", Base("g", "c") + "/subscription", R"({"topics":"t"})");
  EXPECT_EQ(sub.status, 422);
  Reply both =
      Call("POST", Base("g", "c") + "/subscription", R"({"topics":["t"],"topic_pattern":"t"})");
  EXPECT_EQ(both.status, 422);
  Reply offsets = Call("POST", Base("g", "c") + "/offsets", R"({"offsets":[{"topic":"t"}]})");
  EXPECT_EQ(offsets.status, 422);
  Reply missing = Call("POST", Base("g", "c") + "/offsets",
                       R"({"offsets":[{"topic":"nope","partition":0,"offset":1}]})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr(R"("error_code":40401)"));
  Reply no_partitions = Call("GET", Base("g", "c") + "/offsets");
  EXPECT_EQ(no_partitions.status, 404);
  EXPECT_THAT(no_partitions.body, HasSubstr(R"("error_code":40402)"));
  Reply bad_timeout = Records("g", "c", kBinary, "?timeout=abc");
  EXPECT_EQ(bad_timeout.status, 422);
}

}  // namespace
}  // namespace pinpipe::api::kafka_rest
