#include "base/json_writer.h"

#include <cmath>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pinpipe {
namespace {

std::string Dbl(double v, JsonStyle style = JsonStyle::kPython) {
  std::string out;
  AppendJsonDouble(&out, v, style);
  return out;
}

std::string Str(std::string_view s, bool ensure_ascii) {
  std::string out;
  AppendJsonString(&out, s, ensure_ascii);
  return out;
}

// Built to mirror the Python expression
//   json.dumps({"a": 1, "b": [...], "s": "...", "n": None, "t": True, "f": False, "e": {}, "l":
//   []})
// whose output (CPython 3.11) is the expected string below.
TEST(JsonWriterTest, PythonStyleIsByteIdenticalToJsonDumps) {
  std::string out;
  JsonWriter w(&out, JsonStyle::kPython);
  w.BeginObject();
  w.Key("a").Int(1);
  w.Key("b").BeginArray();
  w.Int(1);
  for (double d : {2.5, 5.0, -0.0, 1e16, 1e15, 1e-05, 0.0001, 1.5e-07, 123456789.123, 0.1 + 0.2,
                   -89.9787, std::nan(""), std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity()}) {
    w.Double(d);
  }
  w.EndArray();
  w.Key("s").String("q\"b\\\n\r\t\b\f\x01\x7f \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 ");
  w.Key("n").Null();
  w.Key("t").Bool(true);
  w.Key("f").Bool(false);
  w.Key("e").BeginObject().EndObject();
  w.Key("l").BeginArray().EndArray();
  w.EndObject();
  EXPECT_EQ(out, R"({"a": 1, "b": [1, 2.5, 5.0, -0.0, 1e+16, 1000000000000000.0, 1e-05, 0.0001, )"
                 R"(1.5e-07, 123456789.123, 0.30000000000000004, -89.9787, NaN, Infinity, )"
                 R"(-Infinity], "s": "q\"b\\\n\r\t\b\f\u0001\u007f \u00e9\u20ac\ud83d\ude00 ", )"
                 R"("n": null, "t": true, "f": false, "e": {}, "l": []})");
}

TEST(JsonWriterTest, CompactStyleHasNoSpacesAndKeepsUtf8) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("a").Int(1).Key("b").BeginArray().Int(1).Int(2).EndArray();
  w.Key("name").String("Zo\xC3\xAB ").Key("x").Null().EndObject();
  EXPECT_EQ(out, "{\"a\":1,\"b\":[1,2],\"name\":\"Zo\xC3\xAB \",\"x\":null}");
}

TEST(JsonWriterTest, CompactCanEnsureAscii) {
  std::string out;
  JsonWriter w(&out);
  w.set_ensure_ascii(true);
  w.String("\xC3\xA9");
  EXPECT_EQ(out, R"("\u00e9")");
}

TEST(JsonWriterTest, AppendsWithoutClearing) {
  std::string out = "prefix ";
  JsonWriter w(&out);
  w.BeginArray().Bool(false).EndArray();
  EXPECT_EQ(out, "prefix [false]");
}

TEST(JsonWriterTest, NestedContainersSeparateCorrectly) {
  std::string out;
  JsonWriter w(&out, JsonStyle::kPython);
  w.BeginArray().BeginObject().Key("k").BeginArray().Int(1).EndArray().EndObject();
  w.BeginArray().EndArray().Raw("{\"r\":1}").EndArray();
  EXPECT_EQ(out, R"([{"k": [1]}, [], {"r":1}])");
}

TEST(JsonStringTest, EscapesControlsQuotesAndBackslash) {
  EXPECT_EQ(Str("a\"b\\c", false), R"("a\"b\\c")");
  EXPECT_EQ(Str(std::string_view("\0\x1f", 2), false), R"("\u0000\u001f")");
  EXPECT_EQ(Str("\n\r\t\b\f", false), R"("\n\r\t\b\f")");
  EXPECT_EQ(Str("\x7f", false), "\"\x7f\"");
  EXPECT_EQ(Str("\x7f", true), R"("\u007f")");
}

TEST(JsonStringTest, EnsureAsciiUsesSurrogatePairs) {
  EXPECT_EQ(Str("\xF0\x9F\x98\x80", true), R"("\ud83d\ude00")");
  EXPECT_EQ(Str("\xF4\x8F\xBF\xBF", true), R"("\udbff\udfff")");
  EXPECT_EQ(Str("\xC2\xA0", true), R"("\u00a0")");  // the no-break space of descriptions
  EXPECT_EQ(Str("\xE2\x80\xA6", true), R"("\u2026")");
}

TEST(JsonStringTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(Str("a\xFF"
                "b",
                true),
            R"("a\ufffdb")");
  EXPECT_EQ(Str("a\xFF"
                "b",
                false),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(Str("\xC3", true), R"("\ufffd")");                      // truncated
  EXPECT_EQ(Str("\xED\xA0\x80", true), R"("\ufffd\ufffd\ufffd")");  // encoded surrogate
  EXPECT_EQ(Str("\xC0\xAF", true), R"("\ufffd\ufffd")");            // overlong
}

TEST(JsonDoubleTest, PythonRepr) {
  EXPECT_EQ(Dbl(5.0), "5.0");
  EXPECT_EQ(Dbl(-173.293), "-173.293");
  EXPECT_EQ(Dbl(0.0), "0.0");
  EXPECT_EQ(Dbl(-0.0), "-0.0");
  EXPECT_EQ(Dbl(1e22), "1e+22");
  EXPECT_EQ(Dbl(1.5e16), "1.5e+16");
  EXPECT_EQ(Dbl(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(Dbl(0.00012), "0.00012");
  EXPECT_EQ(Dbl(1.2e-100), "1.2e-100");
  EXPECT_EQ(Dbl(5e-324), "5e-324");
  EXPECT_EQ(Dbl(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(Dbl(100.0), "100.0");
}

TEST(JsonDoubleTest, CompactWritesNonFiniteAsNull) {
  EXPECT_EQ(Dbl(std::nan(""), JsonStyle::kCompact), "null");
  EXPECT_EQ(Dbl(std::numeric_limits<double>::infinity(), JsonStyle::kCompact), "null");
  EXPECT_EQ(Dbl(-89.9787, JsonStyle::kCompact), "-89.9787");
  EXPECT_EQ(Dbl(26.0, JsonStyle::kCompact), "26.0");
}

TEST(JsonIntTest, FullRange) {
  std::string out;
  AppendJsonInt(&out, std::numeric_limits<int64_t>::min());
  out.push_back(' ');
  AppendJsonInt(&out, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(out, "-9223372036854775808 9223372036854775807");
}

}  // namespace
}  // namespace pinpipe
