// AppendMinified must produce exactly simdjson::minify's bytes (what the produce path stored
// before it): fixed cases for every value type and escape, then seeded random documents.
#include "api/json_minify.h"

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pinpipe::api {
namespace {

void ExpectSameAsSimdjson(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(Minified(doc), simdjson::minify(doc)) << json;
}

TEST(JsonMinifyTest, EveryTypeAndEscapeAsSimdjsonWritesIt) {
  simdjson::dom::parser parser;
  const char* const kCases[] = {
      R"({"index": 7528, "unique_id": "fbe53c66", "title": "No Title Data Available",
          "latitude": -89.9787, "downloaded": 0})",
      R"({"a":"\u00e9\u4e2d\ud83d\ude00","b":"quote \" backslash \\ slash \/ tab \t nl \n"})",
      R"({"ctl":"\u0000\u0001\u0008\u000b\u000c\u000d\u001f\u007f"})",
      R"([1, -1, 0, 9223372036854775807, -9223372036854775808, 18446744073709551615])",
      R"([1.0, 1.5, -0.0, 1e2, 1E-7, 123456789.123456789, 5e-324, 1.7976931348623157e308])",
      R"([true, false, null, [], {}, [[]], {"":{}}, ""])",
      R"({"k":{"nested":[{"deep":[1,{"x":null}]}]},"k":"duplicate keys are kept"})",
      R"("just a string")",
      R"(-42)",
      R"(  [ 1 , 2 ] )",
  };
  for (const char* c : kCases) ExpectSameAsSimdjson(parser, c);
}

TEST(JsonMinifyTest, LongStringsWithAnEscapeAtEveryPosition) {
  // Runs are scanned 16 bytes at a time: put each kind of escape at every offset of strings
  // long enough to cross several blocks, and next to UTF-8 (bytes >= 0x80 must not count).
  simdjson::dom::parser parser;
  const char* const kEscapes[] = {"\\\"", "\\\\", "\\n", "\\u001f", "\\u0000", "\\u007f"};
  for (const char* escape : kEscapes) {
    for (size_t len : {15, 16, 17, 31, 32, 33, 50}) {
      for (size_t at = 0; at <= len; ++at) {
        std::string json = "[\"";
        for (size_t i = 0; i <= len; ++i) {
          if (i == at) json += escape;
          if (i < len) json += i % 7 == 3 ? "\xc3\xa9" : "x";
        }
        json += "\"]";
        ExpectSameAsSimdjson(parser, json);
      }
    }
  }
  std::string plain(5000, 'p');
  ExpectSameAsSimdjson(parser, "{\"" + plain + "\":\"" + plain + "\\t\"}");
}

TEST(JsonMinifyTest, DeepNestingBeyondSimdjsonsIterativeDepth) {
  // simdjson's builder switches to recursion past depth 16; the output must not change.
  std::string json;
  for (int i = 0; i < 40; ++i) json += i % 2 ? "[" : "{\"k\":";
  json += "1";
  for (int i = 39; i >= 0; --i) json += i % 2 ? "]" : "}";
  simdjson::dom::parser parser;
  ExpectSameAsSimdjson(parser, json);
}

// A random JSON value with every type, odd characters and number forms.
std::string RandomJson(std::mt19937_64& rng, int depth) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  auto str = [&] {
    std::string s = "\"";
    int n = pick(12);
    for (int i = 0; i < n; ++i) {
      switch (pick(8)) {
        case 0:
          s += "\\\"";
          break;
        case 1:
          s += "\\\\";
          break;
        case 2:
          s += "\\u00" + std::string(1, "01"[pick(2)]) + "abcdef0123456789"[pick(16)];
          break;
        case 3:
          s += "\xc3\xa9";
          break;
        case 4:
          s += "\\n";
          break;
        default:
          s += static_cast<char>('a' + pick(26));
      }
    }
    return s + "\"";
  };
  int kind = depth > 4 ? pick(6) : pick(8);
  switch (kind) {
    case 0:
      return str();
    case 1:
      return std::to_string(static_cast<int64_t>(rng()));
    case 2:
      return std::to_string(rng());
    case 3: {
      std::uniform_real_distribution<double> d(-1e6, 1e6);
      char buf[64];
      std::snprintf(buf, sizeof buf, pick(2) ? "%.17g" : "%.3e", d(rng));
      return buf;
    }
    case 4:
      return pick(2) ? "true" : "false";
    case 5:
      return "null";
    case 6: {
      std::string s = "[";
      for (int i = 0, n = pick(4); i < n; ++i) s += (i ? " , " : "") + RandomJson(rng, depth + 1);
      return s + "]";
    }
    default: {
      std::string s = "{";
      for (int i = 0, n = pick(4); i < n; ++i) {
        s += (i ? ",\n" : "") + str() + " : " + RandomJson(rng, depth + 1);
      }
      return s + "}";
    }
  }
}

TEST(JsonMinifyTest, SeededRandomDocumentsMatchSimdjson) {
  simdjson::dom::parser parser;
  std::mt19937_64 rng(20261124);
  for (int i = 0; i < 2000; ++i) ExpectSameAsSimdjson(parser, RandomJson(rng, 0));
}

}  // namespace
}  // namespace pinpipe::api
