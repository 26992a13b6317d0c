// Runs the real `pinpipe clean` ($PINPIPE_BINARY) on the example rows of
// docs reference/source-data.md and checks stdout, stderr and the exit code exactly.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_env.h"
#include <sys/wait.h>
#include <unistd.h>

namespace pinpipe::cli {
namespace {

struct RunResult {
  std::string out;
  std::string err;
  int exit_code = -1;
};

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CleanCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = ::pinpipe::testing::PinpipeBinary();
    if (!std::filesystem::exists(binary_)) GTEST_FAIL() << "no pinpipe binary at " << binary_;
    dir_ = std::filesystem::temp_directory_path() /
           ("pinpipe_clean_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  RunResult Run(const std::string& args, const std::string& input) {
    std::filesystem::path in = dir_ / "in.jsonl";
    std::filesystem::path err = dir_ / "err.txt";
    std::ofstream(in, std::ios::binary) << input;
    std::string cmd =
        "'" + binary_ + "' " + args + " < '" + in.string() + "' 2> '" + err.string() + "'";
    RunResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
    int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = ReadFile(err);
    return r;
  }

  std::string binary_;
  std::filesystem::path dir_;
};

// The Python-dict rows of source-data.md as json.dumps(row, default=str) sends them, twice
// (the emulator samples with replacement), plus the Kafka JSON rows.
constexpr char kPins[] =
    R"j({"index": 7528, "unique_id": "fbe53c66-3442-4773-b19e-d3ec6f54dddf", "title": "No Title Data Available", "description": "No description available Story format", "poster_name": "User Info Error", "follower_count": "User Info Error", "tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", "is_image_or_video": "multi-video(story page format)", "image_src": "Image src error.", "downloaded": 0, "save_location": "Local save in /data/mens-fashion", "category": "mens-fashion"}
{"index": 10794, "unique_id": "c4bd2577-a7bb-4409-bb7a-17d5ed7e1cf1", "title": "TireBuyer", "description": "Nissan GT-R. Sick.", "poster_name": "Ray Uyemura", "follower_count": "437", "tag_list": "Lowrider,Old Vintage Cars,Antique Cars,Austin Martin,Nissan Gtr Black,Jaguar,1959 Cadillac,Cadillac Ct6,Old School Cars", "is_image_or_video": "image", "image_src": "https://i.pinimg.com/originals/0d/29/9f/0d299f3df020395aa7ce8387f40fbeed.jpg", "downloaded": 1, "save_location": "Local save in /data/vehicles", "category": "vehicles"}
{"index": 7528, "unique_id": "fbe53c66-3442-4773-b19e-d3ec6f54dddf", "title": "No Title Data Available", "description": "No description available Story format", "poster_name": "User Info Error", "follower_count": "User Info Error", "tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e", "is_image_or_video": "multi-video(story page format)", "image_src": "Image src error.", "downloaded": 0, "save_location": "Local save in /data/mens-fashion", "category": "mens-fashion"}
)j";

TEST_F(CleanCommandTest, PinExamplesCleanedAndDeduplicated) {
  RunResult r = Run("clean --table pin", kPins);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(
      r.out,
      R"j({"ind":7528,"unique_id":"fbe53c66-3442-4773-b19e-d3ec6f54dddf","title":null,"description":null,"follower_count":null,"poster_name":null,"tag_list":null,"is_image_or_video":"multi-video(story page format)","image_src":null,"save_location":"/data/mens-fashion","category":"mens-fashion"})j"
      "\n"
      R"j({"ind":10794,"unique_id":"c4bd2577-a7bb-4409-bb7a-17d5ed7e1cf1","title":"TireBuyer","description":"Nissan GT-R. Sick.","follower_count":437,"poster_name":"Ray Uyemura","tag_list":"Lowrider,Old Vintage Cars,Antique Cars,Austin Martin,Nissan Gtr Black,Jaguar,1959 Cadillac,Cadillac Ct6,Old School Cars","is_image_or_video":"image","image_src":"https://i.pinimg.com/originals/0d/29/9f/0d299f3df020395aa7ce8387f40fbeed.jpg","save_location":"/data/vehicles","category":"vehicles"})j"
      "\n");
}

TEST_F(CleanCommandTest, GeoExamplesBothDatetimeForms) {
  RunResult r = Run(
      "clean --table geo",
      R"({"ind": 7528, "timestamp": "2020-08-28 03:52:47", "latitude": -89.9787, "longitude": -173.293, "country": "Albania"})"
      "\n\n"
      R"({"ind": 10794, "latitude": -89.5236, "longitude": -154.567, "country": "Cocos (Keeling) Islands", "timestamp": "2022-01-01T02:26:50"})"
      "\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(
      r.out,
      R"({"ind":7528,"country":"Albania","coordinates":[-89.9787,-173.293],"timestamp":"2020-08-28T03:52:47Z"})"
      "\n"
      R"({"ind":10794,"country":"Cocos (Keeling) Islands","coordinates":[-89.5236,-154.567],"timestamp":"2022-01-01T02:26:50Z"})"
      "\n");
}

TEST_F(CleanCommandTest, UserExamplesAndInvalidLines) {
  RunResult r = Run(
      "clean --table user",
      R"({"ind": 7528, "first_name": "Abigail", "last_name": "Ali", "age": 20, "date_joined": "2015-10-24 11:23:51"})"
      "\n"
      "not json\n"
      "   \n"
      "[1, 2]\n"
      R"({"ind": 10794, "first_name": "Thomas", "last_name": "Turner", "age": 34, "date_joined": "2016-12-22 00:02:02"})"
      "\n"
      R"({"first_name": "No", "last_name": "Key"})");  // last line unterminated
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.out,
      R"({"ind":7528,"user_name":"Abigail Ali","age":20,"date_joined":"2015-10-24T11:23:51Z"})"
      "\n"
      R"({"ind":10794,"user_name":"Thomas Turner","age":34,"date_joined":"2016-12-22T00:02:02Z"})"
      "\n");
  EXPECT_THAT(r.err, ::testing::MatchesRegex(
                         "pinpipe clean: line 2: invalid JSON: [^\n]+\n"
                         "pinpipe clean: line 4: not a JSON object \\(it is an array\\)\n"
                         "pinpipe clean: line 6: missing key 'ind' \\(or 'index'\\)\n"));
}

TEST_F(CleanCommandTest, QualityFlagPrintsCounters) {
  RunResult r = Run("clean --table pin --quality", kPins);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, ::testing::HasSubstr("pin: 3 read, 0 rejected, 1 duplicates, 2 written\n"));
  EXPECT_THAT(r.err, ::testing::ContainsRegex("follower_count +1 +1 +0\n"));
}

TEST_F(CleanCommandTest, UnknownTableIsUsageError) {
  RunResult r = Run("clean --table pins", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("--table"));
}

}  // namespace
}  // namespace pinpipe::cli
