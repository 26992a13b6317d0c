#include "sink/record_fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/status_matchers.h"
#include "io/mem_file_system.h"
#include "log/embedded_topic_log.h"

namespace pinpipe::sink {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

class RecordFetcherTest : public ::testing::Test {
 protected:
  RecordFetcherTest() {
    auto log = log::EmbeddedTopicLog::Open(&fs_, "/data");
    EXPECT_THAT(log, IsOk());
    log_ = std::move(log).value();
    EXPECT_THAT(log_->CreateTopic("t", {.partitions = 2}), IsOk());
  }
  void Append(int32_t partition, std::vector<std::string> values) {
    std::vector<log::Record> records(values.size());
    for (size_t i = 0; i < values.size(); ++i) records[i].value = values[i];
    ASSERT_THAT(log_->Append("t", log::PartitionChoice::Explicit(partition), records), IsOk());
  }
  // The lines of a fetch, "!" + the error for a bad record.
  static std::vector<std::string> Lines(const Fetch& f) {
    std::vector<std::string> out;
    for (const FetchedRecord& r : f.records) {
      out.push_back(r.error.ok() ? std::string(r.line) : "!" + std::string(r.error.message()));
    }
    return out;
  }

  io::MemFileSystem fs_;
  std::unique_ptr<log::EmbeddedTopicLog> log_;
};

TEST_F(RecordFetcherTest, ChecksEachValueAsAJsonLine) {
  Append(0, {R"({"a":1})", "{\n  \"b\": [1,\n 2]\r\n}", "not json", R"("s")"});
  RecordFetcher fetcher(log_.get(), 1 << 20);
  const Fetch& f = fetcher.Get("t", 0, 0);
  ASSERT_THAT(f.status, IsOk());
  std::vector<std::string> lines = Lines(f);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], R"({"a":1})");
  EXPECT_EQ(lines[1], R"({"b":[1,2]})");  // line breaks between tokens are dropped
  EXPECT_THAT(lines[2], HasSubstr("!not JSON"));
  EXPECT_EQ(lines[3], R"("s")");
  EXPECT_EQ(f.records[3].offset, 3);
  EXPECT_EQ(fetcher.Get("t", 0, 2).records.front().offset, 2);  // from any offset
}

TEST_F(RecordFetcherTest, AReadAheadServesTheSameReadOnly) {
  Append(0, {"1", "2", "3"});
  Append(1, {"10", "20"});
  RecordFetcher fetcher(log_.get(), 1 << 20);
  fetcher.Prefetch("t", 1, 1);
  const Fetch& f = fetcher.Get("t", 1, 1);
  EXPECT_EQ(Lines(f), std::vector<std::string>({"20"}));
  EXPECT_EQ(fetcher.hits(), 1);
  fetcher.Prefetch("t", 0, 0);
  EXPECT_EQ(Lines(fetcher.Get("t", 0, 1)), std::vector<std::string>({"2", "3"}));  // not it
  EXPECT_EQ(fetcher.misses(), 1);
  fetcher.Prefetch("t", 0, 2);
  EXPECT_EQ(Lines(fetcher.Get("t", 0, 2)), std::vector<std::string>({"3"}));
  EXPECT_EQ(fetcher.hits(), 2);
}

// A read ahead that found the end is not trusted: what came since is read.
TEST_F(RecordFetcherTest, AnEmptyReadAheadIsReadAgain) {
  Append(0, {"1"});
  RecordFetcher fetcher(log_.get(), 1 << 20);
  fetcher.Prefetch("t", 0, 1);
  fetcher.Get("t", 1, 0);  // waits for the read ahead (at the end), then reads another
  Append(0, {"2"});
  const Fetch& f = fetcher.Get("t", 0, 1);
  EXPECT_EQ(Lines(f), std::vector<std::string>({"2"}));
  EXPECT_EQ(fetcher.hits(), 0);
}

TEST_F(RecordFetcherTest, ReadErrorsAreTheLogs) {
  RecordFetcher fetcher(log_.get(), 1 << 20);
  EXPECT_THAT(fetcher.Get("nope", 0, 0).status, StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(fetcher.Get("t", 0, 5).status, StatusIs(StatusCode::kOutOfRange));
  fetcher.Prefetch("t", 7, 0);
  EXPECT_THAT(fetcher.Get("t", 7, 0).status, StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace pinpipe::sink
