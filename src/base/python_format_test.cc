#include "base/python_format.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

namespace pinpipe {
namespace {

// Asks Debian's python3 for repr() of each value of a Python list expression, one per line.
std::vector<std::string> PythonReprs(const std::string& list_expr) {
  std::string cmd = "/usr/bin/python3 -c 'import datetime\nfor v in " + list_expr +
                    ": print(repr(v))'";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::vector<std::string> out;
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf;
  std::string text;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) text.append(buf.data(), n);
  EXPECT_EQ(pclose(pipe), 0);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(PythonFloatTest, MatchesCPythonRepr) {
  const std::vector<double> values = {0.0,     -0.0,     1.0,      -89.9787, -173.293, 5.0,
                                      0.1,     1e-05,    0.0001,   1e16,     1.5e16,   123.456,
                                      1e300,   2.5e-300, 1e15,     9999999999999998.0,
                                      -0.00012, 100.0,   3.141592653589793};
  std::string expr = "[";
  for (double v : values) {
    char b[64];
    std::snprintf(b, sizeof b, "float.fromhex(\"%a\"),", v);
    expr += b;
  }
  expr += "]";
  std::vector<std::string> expected = PythonReprs(expr);
  ASSERT_EQ(expected.size(), values.size());
  for (size_t i = 0; i < values.size(); i++) EXPECT_EQ(PythonFloat(values[i]), expected[i]);
  EXPECT_EQ(PythonFloat(INFINITY), "inf");
  EXPECT_EQ(PythonFloat(-INFINITY), "-inf");
  EXPECT_EQ(PythonFloat(NAN), "nan");
}

TEST(PythonStrReprTest, QuotesAndEscapesLikeCPython) {
  EXPECT_EQ(PythonStrRepr("plain"), "'plain'");
  EXPECT_EQ(PythonStrRepr("Cote d'Ivoire"), "\"Cote d'Ivoire\"");
  EXPECT_EQ(PythonStrRepr("both ' and \""), "'both \\' and \"'");
  EXPECT_EQ(PythonStrRepr("a\\b\n\t"), "'a\\\\b\\n\\t'");
  EXPECT_EQ(PythonStrRepr("Sick\xe2\x80\xa6\xc2\xa0"), "'Sick\xe2\x80\xa6\\xa0'");  // …, NBSP
  EXPECT_EQ(PythonStrRepr("Zo\xc3\xab "), "'Zo\xc3\xab '");  // printable Unicode kept
  EXPECT_EQ(PythonStrRepr("\xff"), "'\\xff'");
}

TEST(PythonStrReprTest, MatchesCPythonOnTrickyText) {
  std::vector<std::string> expected =
      PythonReprs("[\"x\\u2028y\", \"\\x7f\", \"\\u00ad\", \"caf\\u00e9\", \"\\u3000\"]");
  ASSERT_EQ(expected.size(), 5u);
  EXPECT_EQ(PythonStrRepr("x\xe2\x80\xa8y"), expected[0]);
  EXPECT_EQ(PythonStrRepr("\x7f"), expected[1]);
  EXPECT_EQ(PythonStrRepr("\xc2\xad"), expected[2]);
  EXPECT_EQ(PythonStrRepr("caf\xc3\xa9"), expected[3]);
  EXPECT_EQ(PythonStrRepr("\xe3\x80\x80"), expected[4]);
}

TEST(PythonDatetimeReprTest, DropsZeroSecondsLikeCPython) {
  EXPECT_EQ(PythonDatetimeRepr("2020-08-28 03:52:47"), "datetime.datetime(2020, 8, 28, 3, 52, 47)");
  EXPECT_EQ(PythonDatetimeRepr("2015-10-24T11:23:00"), "datetime.datetime(2015, 10, 24, 11, 23)");
  EXPECT_EQ(PythonDatetimeRepr("2015-10-24 00:00:00"), "datetime.datetime(2015, 10, 24, 0, 0)");
  EXPECT_EQ(PythonDatetimeRepr("2015-10-24 00:00:00.5"),
            "datetime.datetime(2015, 10, 24, 0, 0, 0, 500000)");
  EXPECT_EQ(PythonDatetimeRepr("not a date"), "'not a date'");
}

}  // namespace
}  // namespace pinpipe
