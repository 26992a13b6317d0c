#include "batch/object_cleaner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "base/status_matchers.h"

namespace pinpipe::batch {
namespace {

using ::pinpipe::testing::IsOk;

// Pin lines with repeated inds, placeholders, k/M counts, unparseable counts, bad rows, blanks.
std::vector<std::string> Objects() {
  std::vector<std::string> objects;
  std::mt19937 rng(7);
  const char* counts[] = {"437", "26k", "6M", "User Info Error", "abc", "", "1.5k"};
  for (int o = 0; o < 40; ++o) {
    std::string text;
    for (int l = 0; l < 1 + o % 5; ++l) {
      int ind = static_cast<int>(rng() % 30);
      switch (rng() % 9) {
        case 0: text += "{\"index\":\"x\"}\n"; continue;
        case 1: text += "[1,2]\n"; continue;
        case 2: text += "   \n"; continue;
        default: break;
      }
      text += "{\"index\":" + std::to_string(ind) + ",\"unique_id\":\"u\",\"title\":\"" +
              (ind % 2 ? "No Title Data Available" : "t") + "\",\"description\":\"d\"," +
              "\"poster_name\":\"p\",\"follower_count\":\"" + counts[rng() % 7] +
              "\",\"tag_list\":\"a\",\"is_image_or_video\":\"image\",\"image_src\":\"i\"," +
              "\"downloaded\":1,\"save_location\":\"Local save in /data/art\"," +
              "\"category\":\"art\"}\n";
    }
    objects.push_back(text);
  }
  return objects;
}

TEST(ObjectCleanerTest, CountsAndKeepsWhatRowCleanerDoesInTheSameOrder) {
  model::RowCleaner expected(model::Table::kPin);
  std::vector<model::CleanRow> expected_rows;
  for (const std::string& object : Objects()) {
    std::string_view rest = object;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      auto row = expected.ProcessRow(line);
      if (row.ok() && row->has_value()) expected_rows.push_back(**row);
    }
  }

  // Two cleaners, as two fetch threads would use them; dedup in object order.
  ObjectCleaner a(model::Table::kPin);
  ObjectCleaner b(model::Table::kPin);
  InOrderDedup dedup(model::Table::kPin);
  std::vector<model::CleanRow> rows;
  std::vector<std::string> objects = Objects();
  for (size_t i = 0; i < objects.size(); ++i) {
    CleanedObject cleaned;
    (i % 3 == 0 ? a : b).Clean(objects[i], &cleaned);
    ASSERT_THAT(dedup.Take(cleaned, [&](model::CleanRow&& row) {
      rows.push_back(std::move(row));
      return Status::OK();
    }), IsOk());
  }
  EXPECT_EQ(rows, expected_rows);
  EXPECT_GT(expected.quality().duplicates_dropped(), 0);
  EXPECT_GT(expected.quality().rows_rejected(), 0);
  EXPECT_EQ(dedup.quality().ToJson(), expected.quality().ToJson());
}

}  // namespace
}  // namespace pinpipe::batch
