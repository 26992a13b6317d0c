// Generator: deterministic synthetic source rows shaped like the original Pinterest data
// (reference/source-data.md): 13 categories, follower counts as text ("437", "26k", "6M",
// "User Info Error"), story-format placeholder rows, Faker-style countries, a pool of users
// who post many times with the same name, age and join date, and a pool of
// (latitude, longitude, country) triples that repeat across posts.
//
// Correlations the analyses can find:
//   - younger users have more followers (median tens of thousands at 20-24, a few thousand
//     at 50+), and earlier joiners more than later ones;
//   - the category mix differs by age group and by country.
//
// Determinism: row `offset` is a pure function of (options, offset). The same seed gives
// byte-identical rows whatever the number of rows generated, their order or the thread that
// generates them. The key columns are the offset itself (index == ind == offset).
//
// Thread-safety: after construction a Generator is immutable; Fill/Make may be called from
// any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "model/records.h"

namespace pinpipe::source {

namespace internal {
struct GeneratorPools;  // generator.cc
}  // namespace internal

struct GeneratorOptions {
  uint64_t seed = 1;
  // Distinct posters. Each post picks one, so a user appears under many offsets.
  int32_t users = 4000;
  // Distinct (latitude, longitude, country) triples.
  int32_t locations = 3000;
};

// Placeholder values of the original data, exposed for tests and cleaning rules.
inline constexpr char kStoryTitle[] = "No Title Data Available";
inline constexpr char kStoryDescription[] = "No description available Story format";
inline constexpr char kNoDescription[] = "No description available";
inline constexpr char kUserInfoError[] = "User Info Error";
inline constexpr char kStoryTagList[] = "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e";
inline constexpr char kStoryMediaType[] = "multi-video(story page format)";
inline constexpr char kImageSrcError[] = "Image src error.";
// Appended to truncated descriptions: U+2026 HORIZONTAL ELLIPSIS, U+00A0 NO-BREAK SPACE.
inline constexpr char kTruncationSuffix[] = "\xE2\x80\xA6\xC2\xA0";

class Generator {
 public:
  // Builds the seed's user and location pools: O(users + locations), about a millisecond
  // for the defaults. Counts below 1 are treated as 1.
  explicit Generator(GeneratorOptions options = {});
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  const GeneratorOptions& options() const { return options_; }

  // Overwrites `*post` with the post at `offset` (>= 0). Assigns into the existing strings,
  // so refilling the same Post objects does not allocate once their capacity has grown.
  void Fill(int64_t offset, model::Post* post) const;

  // The post at `offset`, freshly allocated.
  model::Post Make(int64_t offset) const;

 private:
  GeneratorOptions options_;
  std::unique_ptr<const internal::GeneratorPools> pools_;
};

// Formats seconds since the Unix epoch (UTC) as "YYYY-MM-DD HH:MM:SS" into `*out`.
void FormatDateTime(int64_t unix_seconds, std::string* out);

// Renders a follower count the way the source stores it: below 1,000 the plain number,
// below 1,000,000 whole thousands with "k" ("26k"), above that whole millions with "M".
void FormatFollowerCount(int64_t followers, std::string* out);

}  // namespace pinpipe::source
