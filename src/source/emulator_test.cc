#include "source/emulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "base/status_matchers.h"
#include "source/python_random.h"

namespace pinpipe::source {
namespace {

using ::pinpipe::testing::IsOk;
using ::pinpipe::testing::StatusIs;
using ::testing::ElementsAre;

// A source of `rows` posts whose keys equal their offsets; counts its queries. The SQLite and
// MariaDB backends are tested in their own suites; this one is about the loop.
class CountingSource final : public SourceDb {
 public:
  explicit CountingSource(int64_t rows) : rows_(rows) {}
  Status CreateTables(bool) override { return Status::OK(); }
  Status InsertPosts(std::span<const model::Post>) override { return Status::OK(); }
  Result<int64_t> RowCount() override { return rows_; }
  Result<model::Post> ReadPost(int64_t offset) override {
    if (offset >= rows_) return OutOfRangeError("past the end");
    reads++;
    model::Post p;
    p.pin.index = p.geo.ind = p.user.ind = offset;
    return p;
  }
  std::string Describe() const override { return "counting"; }
  int reads = 0;

 private:
  int64_t rows_;
};

class RecordingSink final : public PostSink {
 public:
  Status Send(const model::Post& post) override {
    if (fail_every > 0 && (++calls % fail_every) == 0) return UnavailableError("retries exhausted");
    if (cancel_after > 0 && static_cast<int>(keys.size()) >= cancel_after) {
      return CancelledError("output closed");
    }
    keys.push_back(post.pin.index);
    return Status::OK();
  }
  Status Flush() override {
    flushed = true;
    return Status::OK();
  }
  std::vector<int64_t> keys;
  int fail_every = 0;
  int cancel_after = 0;
  int calls = 0;
  bool flushed = false;
};

TEST(EmulatorTest, PythonSeed100ReplaysTheOriginalOffsets) {
  CountingSource db(11153);
  RecordingSink sink;
  FakeClock clock;
  EmulatorOptions opts;
  opts.python_seed = 100;
  opts.count = 5;
  auto stats = Emulator(&db, &sink, &clock, opts).Run();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->sent, 5);
  EXPECT_THAT(sink.keys, ElementsAre(7528, 2863, 5730, 8304, 8731));
  EXPECT_TRUE(sink.flushed);
  EXPECT_EQ(clock.NowMicros(), 0) << "no sleeping unless asked";
}

TEST(EmulatorTest, OriginalSleepSleepsTheDrawnSeconds) {
  CountingSource db(11153);
  RecordingSink sink;
  FakeClock clock;
  EmulatorOptions opts;
  opts.python_seed = 100;
  opts.count = 50;
  opts.sleep_original = true;
  ASSERT_THAT(Emulator(&db, &sink, &clock, opts).Run(), IsOk());
  PyRandom rng(100);
  int64_t slept = 0;
  for (int i = 0; i < 50; i++) {
    slept += rng.RandRange(0, 2);
    (void)rng.RandInt(0, 11000);
  }
  EXPECT_EQ(clock.NowMicros(), slept * 1000000);
}

TEST(EmulatorTest, MaxOffsetIsCappedAtTheLastRow) {
  CountingSource db(10);
  RecordingSink sink;
  FakeClock clock;
  EmulatorOptions opts;
  opts.count = 1000;
  ASSERT_THAT(Emulator(&db, &sink, &clock, opts).Run(), IsOk());
  ASSERT_EQ(sink.keys.size(), 1000u);
  std::vector<int> seen(10, 0);
  for (int64_t k : sink.keys) {
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 10);
    seen[k]++;
  }
  for (int n : seen) EXPECT_GT(n, 50) << "the fast draw should be roughly uniform";
  EXPECT_EQ(db.reads, 1000);
}

TEST(EmulatorTest, FastDrawIsDeterministicPerSeed) {
  auto run = [](uint64_t seed) {
    CountingSource db(11153);
    RecordingSink sink;
    FakeClock clock;
    EmulatorOptions opts;
    opts.seed = seed;
    opts.count = 20;
    EXPECT_THAT(Emulator(&db, &sink, &clock, opts).Run(), IsOk());
    return sink.keys;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(EmulatorTest, RatePacesPosts) {
  CountingSource db(100);
  RecordingSink sink;
  FakeClock clock;
  EmulatorOptions opts;
  opts.count = 10;
  opts.rate = 2;  // one post every 0.5 s: the 10th is due at 4.5 s
  auto stats = Emulator(&db, &sink, &clock, opts).Run();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(clock.NowMicros(), 4500000);
  EXPECT_EQ(stats->elapsed_micros, 4500000);
}

TEST(EmulatorTest, DurationBoundsTheRun) {
  CountingSource db(100);
  RecordingSink sink;
  FakeClock clock;
  EmulatorOptions opts;
  opts.rate = 10;
  opts.duration_micros = 3000000;
  auto stats = Emulator(&db, &sink, &clock, opts).Run();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->sent, 31);  // posts due at 0.0, 0.1, ..., 3.0 s
}

TEST(EmulatorTest, SinkFailuresAreCountedAndTheLoopGoesOn) {
  CountingSource db(100);
  RecordingSink sink;
  sink.fail_every = 4;
  FakeClock clock;
  EmulatorOptions opts;
  opts.count = 20;
  auto stats = Emulator(&db, &sink, &clock, opts).Run();
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->sent, 15);
  EXPECT_EQ(stats->failed, 5);
}

TEST(EmulatorTest, CancelledSinkStopsTheRun) {
  CountingSource db(100);
  RecordingSink sink;
  sink.cancel_after = 3;
  FakeClock clock;
  EmulatorOptions opts;
  EXPECT_THAT(Emulator(&db, &sink, &clock, opts).Run(), StatusIs(StatusCode::kCancelled));
  EXPECT_EQ(sink.keys.size(), 3u);
}

TEST(EmulatorTest, StopFlagEndsAnUnboundedRun) {
  CountingSource db(100);
  RecordingSink sink;
  FakeClock clock;
  std::atomic<bool> stop{false};
  int progress_calls = 0;
  auto stats = Emulator(&db, &sink, &clock, {}).Run(&stop, [&](const EmulatorStats& s) {
    progress_calls++;
    if (s.sent == 42) stop = true;
  });
  ASSERT_THAT(stats, IsOk());
  EXPECT_EQ(stats->sent, 42);
  EXPECT_EQ(progress_calls, 42);
}

TEST(EmulatorTest, EmptySourceIsRefusedWithAHint) {
  CountingSource db(0);
  RecordingSink sink;
  FakeClock clock;
  EXPECT_THAT(Emulator(&db, &sink, &clock, {}).Run(),
              StatusIs(StatusCode::kFailedPrecondition, ::testing::HasSubstr("pinpipe seed")));
}

TEST(PrintSinkTest, PrintsTheOriginalsExampleRowsExactly) {
  model::Post p;
  p.pin = {7528,
           "fbe53c66-3442-4773-b19e-d3ec6f54dddf",
           "No Title Data Available",
           "No description available Story format",
           "User Info Error",
           "User Info Error",
           "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e",
           "multi-video(story page format)",
           "Image src error.",
           0,
           "Local save in /data/mens-fashion",
           "mens-fashion"};
  p.geo = {7528, "2020-08-28 03:52:47", -89.9787, -173.293, "Albania"};
  p.user = {7528, "Abigail", "Ali", 20, "2015-10-24 11:23:51"};
  EXPECT_EQ(PinResultRepr(p.pin),
            "{'index': 7528, 'unique_id': 'fbe53c66-3442-4773-b19e-d3ec6f54dddf', 'title': 'No "
            "Title Data Available', 'description': 'No description available Story format', "
            "'poster_name': 'User Info Error', 'follower_count': 'User Info Error', 'tag_list': "
            "'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e', 'is_image_or_video': 'multi-video(story page "
            "format)', 'image_src': 'Image src error.', 'downloaded': 0, 'save_location': 'Local "
            "save in /data/mens-fashion', 'category': 'mens-fashion'}");
  EXPECT_EQ(GeoResultRepr(p.geo),
            "{'ind': 7528, 'timestamp': datetime.datetime(2020, 8, 28, 3, 52, 47), 'latitude': "
            "-89.9787, 'longitude': -173.293, 'country': 'Albania'}");
  EXPECT_EQ(UserResultRepr(p.user),
            "{'ind': 7528, 'first_name': 'Abigail', 'last_name': 'Ali', 'age': 20, "
            "'date_joined': datetime.datetime(2015, 10, 24, 11, 23, 51)}");
  model::RawUser missing{1, std::nullopt, "O'Neil", std::nullopt, std::nullopt};
  EXPECT_EQ(UserResultRepr(missing),
            "{'ind': 1, 'first_name': None, 'last_name': \"O'Neil\", 'age': None, 'date_joined': "
            "None}");
}

}  // namespace
}  // namespace pinpipe::source
