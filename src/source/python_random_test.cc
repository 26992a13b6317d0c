#include "source/python_random.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace pinpipe::source {
namespace {

// Runs python3 and returns its stdout, one token per whitespace-separated value.
std::vector<std::string> RunPython(const std::string& program) {
  std::string cmd = "/usr/bin/python3 -c '" + program + "'";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::vector<std::string> out;
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf;
  std::string text;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) text.append(buf.data(), n);
  EXPECT_EQ(pclose(pipe), 0) << "python3 failed: " << cmd;
  std::istringstream in(text);
  for (std::string tok; in >> tok;) out.push_back(tok);
  return out;
}

TEST(PyRandomTest, Seed100GivesTheOriginalEmulatorsOffsets) {
  PyRandom rng(100);
  std::vector<int64_t> offsets;
  for (int i = 0; i < 5; i++) {
    (void)rng.RandRange(0, 2);  // the original's sleep draw comes first each turn
    offsets.push_back(rng.RandInt(0, 11000));
  }
  EXPECT_EQ(offsets, (std::vector<int64_t>{7528, 2863, 5730, 8304, 8731}));
}

TEST(PyRandomTest, MatchesCPythonForAThousandEmulatorTurns) {
  std::vector<std::string> expected = RunPython(
      "import random\n"
      "random.seed(100)\n"
      "for _ in range(1000):\n"
      "    print(random.randrange(0, 2), random.randint(0, 11000))\n");
  ASSERT_EQ(expected.size(), 2000u) << "python3 (Debian's, /usr/bin/python3) must be installed";
  PyRandom rng(100);
  for (int i = 0; i < 1000; i++) {
    ASSERT_EQ(std::to_string(rng.RandRange(0, 2)), expected[2 * i]) << "turn " << i;
    ASSERT_EQ(std::to_string(rng.RandInt(0, 11000)), expected[2 * i + 1]) << "turn " << i;
  }
}

TEST(PyRandomTest, MatchesCPythonOnOtherSeedsAndWidths) {
  std::vector<std::string> expected = RunPython(
      "import random\n"
      "for s in (0, 1, 42, 2**32 + 7, 2**63 - 1):\n"
      "    random.seed(s)\n"
      "    print(random.getrandbits(64), random.randint(0, 10**12), random.randrange(5, 9),\n"
      "          repr(random.random()))\n");
  ASSERT_EQ(expected.size(), 20u);
  const uint64_t seeds[] = {0, 1, 42, (uint64_t{1} << 32) + 7, (uint64_t{1} << 63) - 1};
  for (int i = 0; i < 5; i++) {
    PyRandom rng(seeds[i]);
    EXPECT_EQ(std::to_string(rng.GetRandBits(64)), expected[4 * i]) << "seed " << seeds[i];
    EXPECT_EQ(std::to_string(rng.RandInt(0, 1000000000000)), expected[4 * i + 1]);
    EXPECT_EQ(std::to_string(rng.RandRange(5, 9)), expected[4 * i + 2]);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", rng.Random());
    EXPECT_DOUBLE_EQ(std::stod(buf), std::stod(expected[4 * i + 3]));
  }
}

}  // namespace
}  // namespace pinpipe::source
