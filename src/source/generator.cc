#include "source/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <string_view>
#include <vector>

#include "source/generator_vocab.h"

namespace pinpipe::source {
namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

constexpr uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// splitmix64: tiny state, passes BigCrush, and seeding one stream per row is free, which
// is what makes a row a pure function of (seed, offset).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() { return Mix(state_ += kGolden); }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n), n > 0 (multiply-shift; the bias is below 2^-32).
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * static_cast<uint64_t>(n)) >> 32);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {  // Box-Muller; used for the pools only.
    double u1 = std::max(Uniform(), 1e-300);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * Uniform());
  }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Below(static_cast<uint32_t>(items.size()))];
  }

 private:
  uint64_t state_;
};

constexpr int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
constexpr int64_t kDay = 86400;
constexpr int64_t kJoinStart = DaysFromCivil(2015, 1, 1) * kDay;
constexpr int64_t kJoinEnd = DaysFromCivil(2018, 1, 1) * kDay;  // exclusive
constexpr int64_t kPostStart = DaysFromCivil(2017, 12, 30) * kDay;
constexpr int64_t kPostEnd = DaysFromCivil(2022, 7, 26) * kDay;  // exclusive

constexpr double kStoryShare = 0.03;
constexpr double kNoDescriptionShare = 0.015;
constexpr double kFollowerErrorShare = 0.005;
constexpr double kVideoShare = 0.08;
constexpr double kTruncatedShare = 0.35;

// Age groups of the published analyses: 18-24, 25-35, 36-50, 50+.
constexpr int kAgeGroups = 4;
int AgeGroup(int age) { return age <= 24 ? 0 : age <= 35 ? 1 : age <= 50 ? 2 : 3; }

// Relative category weights per age group (categories in vocab::Categories() order: art,
// beauty, christmas, diy-and-crafts, education, event-planning, finance, home-decor,
// mens-fashion, quotes, tattoos, travel, vehicles).
constexpr std::array<std::array<double, vocab::kCategoryCount>, kAgeGroups> kAgeCategory = {{
    {8, 12, 5, 6, 9, 6, 3, 5, 10, 11, 12, 8, 5},
    {8, 10, 6, 8, 8, 9, 6, 8, 9, 8, 8, 9, 7},
    {7, 6, 8, 10, 7, 8, 10, 11, 6, 6, 4, 9, 8},
    {6, 4, 10, 12, 5, 6, 12, 13, 4, 6, 2, 10, 10},
}};

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(uint64_t bits, int digits, std::string* out) {
  for (int i = digits - 1; i >= 0; --i) out->push_back(kHex[(bits >> (4 * i)) & 0xF]);
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  int n = 0;
  const bool negative = v < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    buf[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (negative) out->push_back('-');
  while (n > 0) out->push_back(buf[--n]);
}

// Appends `tmpl` with "{n}" (noun), "{t}" (tag) and "{a}" (adjective) filled in; with
// `title_case` the noun's words are capitalised.
void AppendTemplate(std::string_view tmpl, int category, bool title_case, Rng& rng,
                    std::string* out) {
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] == '{' && i + 2 < tmpl.size() && tmpl[i + 2] == '}') {
      const size_t at = out->size();
      switch (tmpl[i + 1]) {
        case 'n':
          out->append(rng.Pick(vocab::CategoryNouns(category)));
          for (size_t k = at; title_case && k < out->size(); ++k) {
            char& c = (*out)[k];
            if ((k == at || (*out)[k - 1] == ' ') && c >= 'a' && c <= 'z') c -= 'a' - 'A';
          }
          break;
        case 't':
          out->append(rng.Pick(vocab::CategoryTags(category)));
          break;
        default:
          out->append(rng.Pick(vocab::Adjectives()));
          break;
      }
      i += 3;
    } else {
      out->push_back(tmpl[i++]);
    }
  }
}

// The string in `field`, created if absent. Unlike optional::emplace, keeps its capacity.
std::string& Slot(std::optional<std::string>& field) {
  if (!field.has_value()) field.emplace();
  return *field;
}

}  // namespace

namespace internal {

struct GeneratorPools {
  struct User {
    std::string first_name, last_name, poster_name, follower_count, date_joined;
    int age = 0;
    int home_location = 0;
    int favourite_category = 0;
  };
  struct Location {
    double latitude = 0, longitude = 0;
    int country = 0;
  };
  std::vector<User> users;
  std::vector<Location> locations;
  int countries = 0;
  // Cumulative category weights per (age group, country): row group * countries + country.
  std::vector<std::array<double, vocab::kCategoryCount>> category_cdf;

  int PickCategory(int age_group, int country, Rng& rng) const {
    const auto& cdf = category_cdf[static_cast<size_t>(age_group * countries + country)];
    const double x = rng.Uniform() * cdf.back();
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), x);
    return std::min(static_cast<int>(it - cdf.begin()), vocab::kCategoryCount - 1);
  }
};

}  // namespace internal

namespace {

using User = internal::GeneratorPools::User;
using Location = internal::GeneratorPools::Location;

void BuildCategoryCdf(Rng& rng, internal::GeneratorPools* pools) {
  pools->countries = static_cast<int>(vocab::Countries().size());
  std::vector<double> country_factor(static_cast<size_t>(pools->countries) * vocab::kCategoryCount);
  for (double& f : country_factor) f = 0.4 + 1.2 * rng.Uniform();
  pools->category_cdf.resize(static_cast<size_t>(kAgeGroups * pools->countries));
  for (int g = 0; g < kAgeGroups; ++g) {
    for (int c = 0; c < pools->countries; ++c) {
      auto& cdf = pools->category_cdf[static_cast<size_t>(g * pools->countries + c)];
      double sum = 0;
      for (int k = 0; k < vocab::kCategoryCount; ++k) {
        sum +=
            kAgeCategory[g][k] * country_factor[static_cast<size_t>(c) * vocab::kCategoryCount + k];
        cdf[k] = sum;
      }
    }
  }
}

std::string MakePosterName(Rng& rng) {
  std::string name;
  const double kind = rng.Uniform();
  if (kind < 0.60) {
    name.append(rng.Pick(vocab::FirstNames())).append(" ").append(rng.Pick(vocab::LastNames()));
  } else if (kind < 0.85) {
    if (rng.Chance(0.5)) name.append(rng.Pick(vocab::LastNames())).append(" ");
    name.append(rng.Pick(vocab::BrandWords()));
  } else {
    name.append(rng.Pick(vocab::UnicodeNames()));
  }
  if (rng.Chance(0.08)) name.push_back(' ');
  return name;
}

User MakeUser(const internal::GeneratorPools& pools, Rng& rng) {
  User u;
  u.first_name = rng.Pick(vocab::FirstNames());
  u.last_name = rng.Pick(vocab::LastNames());
  // Skewed young, as Pinterest's audience: 20..59.
  u.age = 20 + static_cast<int>(40.0 * std::pow(rng.Uniform(), 1.3));
  const int64_t joined = kJoinStart + static_cast<int64_t>(rng.Uniform() * (kJoinEnd - kJoinStart));
  FormatDateTime(joined, &u.date_joined);
  u.home_location = static_cast<int>(rng.Below(static_cast<uint32_t>(pools.locations.size())));
  const int country = pools.locations[static_cast<size_t>(u.home_location)].country;
  u.favourite_category = pools.PickCategory(AgeGroup(u.age), country, rng);
  u.poster_name = MakePosterName(rng);
  // Median followers fall with age (~50k at 20, ~2k at 59) and with later joining.
  const double years_since_2015 = static_cast<double>(joined - kJoinStart) / (365.25 * kDay);
  const double median =
      60000.0 * std::exp(-0.085 * (u.age - 20)) * 1.6 * std::exp(-0.5 * years_since_2015);
  const double followers = std::min(median * std::exp(1.2 * rng.Normal()), 8.9e6);
  FormatFollowerCount(static_cast<int64_t>(followers), &u.follower_count);
  return u;
}

}  // namespace

Generator::Generator(GeneratorOptions options) : options_(options) {
  options_.users = std::max(options_.users, 1);
  options_.locations = std::max(options_.locations, 1);
  auto pools = std::make_unique<internal::GeneratorPools>();
  Rng rng(Mix(options_.seed ^ 0x5EED0F9001500175ULL));
  BuildCategoryCdf(rng, pools.get());
  const auto countries = static_cast<uint32_t>(pools->countries);
  pools->locations.resize(static_cast<size_t>(options_.locations));
  for (Location& loc : pools->locations) {
    loc.latitude = static_cast<double>(rng.Between(-900000, 900000)) / 10000.0;
    // Longitudes carry 3 or 4 decimals, as in the original rows (-173.293, -154.567).
    loc.longitude = rng.Chance(0.5) ? static_cast<double>(rng.Between(-180000, 180000)) / 1000.0
                                    : static_cast<double>(rng.Between(-1800000, 1800000)) / 10000.0;
    loc.country = static_cast<int>(rng.Below(countries));
  }
  pools->users.reserve(static_cast<size_t>(options_.users));
  for (int32_t i = 0; i < options_.users; ++i) pools->users.push_back(MakeUser(*pools, rng));
  pools_ = std::move(pools);
}

Generator::~Generator() = default;

model::Post Generator::Make(int64_t offset) const {
  model::Post post;
  Fill(offset, &post);
  return post;
}

void Generator::Fill(int64_t offset, model::Post* post) const {
  Rng rng(Mix(options_.seed * kGolden + Mix(static_cast<uint64_t>(offset) + 1)));
  const internal::GeneratorPools& pools = *pools_;
  // A few heavy posters: 30% of posts come from a cubic-skewed pick.
  const double pick = rng.Uniform();
  const double skew = rng.Chance(0.3) ? pick * pick * pick : pick;
  const User& user =
      pools.users[static_cast<size_t>(skew * static_cast<double>(pools.users.size()))];
  const int location_index =
      rng.Chance(0.6) ? user.home_location
                      : static_cast<int>(rng.Below(static_cast<uint32_t>(pools.locations.size())));
  const Location& location = pools.locations[static_cast<size_t>(location_index)];
  const int category = rng.Chance(0.35)
                           ? user.favourite_category
                           : pools.PickCategory(AgeGroup(user.age), location.country, rng);
  const std::string_view category_name = vocab::Categories()[static_cast<size_t>(category)];

  model::RawPin& pin = post->pin;
  pin.index = offset;
  std::string& uuid = Slot(pin.unique_id);
  uuid.clear();
  const uint64_t hi = rng.Next(), lo = rng.Next();
  AppendHex(hi >> 32, 8, &uuid);
  uuid.push_back('-');
  AppendHex(hi >> 16, 4, &uuid);
  uuid.append("-4");
  AppendHex(hi, 3, &uuid);
  uuid.push_back('-');
  uuid.push_back("89ab"[lo >> 62]);
  AppendHex(lo >> 48, 3, &uuid);
  uuid.push_back('-');
  AppendHex(lo, 12, &uuid);

  if (rng.Chance(kStoryShare)) {
    Slot(pin.title).assign(kStoryTitle);
    Slot(pin.description).assign(kStoryDescription);
    Slot(pin.poster_name).assign(kUserInfoError);
    Slot(pin.follower_count).assign(kUserInfoError);
    Slot(pin.tag_list).assign(kStoryTagList);
    Slot(pin.is_image_or_video).assign(kStoryMediaType);
    Slot(pin.image_src).assign(kImageSrcError);
    pin.downloaded = 0;
  } else {
    std::string& title = Slot(pin.title);
    title.clear();
    AppendTemplate(rng.Pick(vocab::TitleTemplates()), category, true, rng, &title);

    std::string& description = Slot(pin.description);
    description.clear();
    if (rng.Chance(kNoDescriptionShare)) {
      description.assign(kNoDescription);
    } else {
      const int sentences = 1 + static_cast<int>(rng.Below(3));
      for (int i = 0; i < sentences; ++i) {
        if (i > 0) description.push_back(' ');
        AppendTemplate(rng.Pick(vocab::DescriptionTemplates()), category, false, rng, &description);
      }
      if (description.size() > 40 && rng.Chance(kTruncatedShare)) {
        // Templates are ASCII, so any byte position is a character boundary.
        description.resize(30 + rng.Below(static_cast<uint32_t>(description.size() - 30)));
        while (!description.empty() && description.back() == ' ') description.pop_back();
        description.append(kTruncationSuffix);
      }
    }
    Slot(pin.poster_name).assign(user.poster_name);
    Slot(pin.follower_count)
        .assign(rng.Chance(kFollowerErrorShare) ? std::string_view(kUserInfoError)
                                                : std::string_view(user.follower_count));
    std::string& tags = Slot(pin.tag_list);
    tags.clear();
    const auto tag_pool = vocab::CategoryTags(category);
    const auto tag_count = static_cast<uint32_t>(tag_pool.size());
    const uint32_t n = 3 + rng.Below(7);
    const uint32_t start = rng.Below(tag_count);
    // A step coprime to the pool size visits distinct tags (n < tag_count).
    uint32_t step = 1 + rng.Below(tag_count - 1);
    while (std::gcd(step, tag_count) != 1) step = step % (tag_count - 1) + 1;
    for (uint32_t i = 0; i < n; ++i) {
      if (i > 0) tags.push_back(',');
      tags.append(tag_pool[(start + i * step) % tag_count]);
    }
    Slot(pin.is_image_or_video).assign(rng.Chance(kVideoShare) ? "video" : "image");
    std::string& src = Slot(pin.image_src);
    src.assign("https://i.pinimg.com/originals/");
    const uint64_t h1 = rng.Next(), h2 = rng.Next();
    AppendHex(h1 >> 56, 2, &src);
    src.push_back('/');
    AppendHex(h1 >> 48, 2, &src);
    src.push_back('/');
    AppendHex(h1 >> 40, 2, &src);
    src.push_back('/');
    AppendHex(h1, 16, &src);
    AppendHex(h2, 16, &src);
    src.append(rng.Chance(0.85) ? ".jpg" : ".png");
    pin.downloaded = rng.Chance(0.99) ? 1 : 0;
  }
  Slot(pin.save_location).assign("Local save in /data/").append(category_name);
  Slot(pin.category).assign(category_name);

  model::RawGeo& geo = post->geo;
  geo.ind = offset;
  FormatDateTime(kPostStart + static_cast<int64_t>(rng.Uniform() * (kPostEnd - kPostStart)),
                 &Slot(geo.timestamp));
  geo.latitude = location.latitude;
  geo.longitude = location.longitude;
  Slot(geo.country).assign(vocab::Countries()[static_cast<size_t>(location.country)]);

  model::RawUser& raw_user = post->user;
  raw_user.ind = offset;
  Slot(raw_user.first_name).assign(user.first_name);
  Slot(raw_user.last_name).assign(user.last_name);
  raw_user.age = user.age;
  Slot(raw_user.date_joined).assign(user.date_joined);
}

void FormatDateTime(int64_t unix_seconds, std::string* out) {
  int64_t days = unix_seconds / kDay;
  int64_t secs = unix_seconds % kDay;
  if (secs < 0) {
    secs += kDay;
    --days;
  }
  // Howard Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
  char buf[19] = {'0', '0', '0', '0', '-', '0', '0', '-', '0', '0',
                  ' ', '0', '0', ':', '0', '0', ':', '0', '0'};
  auto put2 = [&buf](int pos, int64_t v) {
    buf[pos] = static_cast<char>('0' + v / 10);
    buf[pos + 1] = static_cast<char>('0' + v % 10);
  };
  put2(0, (year / 100) % 100);
  put2(2, year % 100);
  put2(5, month);
  put2(8, day);
  put2(11, secs / 3600);
  put2(14, secs / 60 % 60);
  put2(17, secs % 60);
  out->assign(buf, sizeof(buf));
}

void FormatFollowerCount(int64_t followers, std::string* out) {
  out->clear();
  if (followers < 1000) {
    AppendInt(std::max<int64_t>(followers, 0), out);
  } else if (followers < 1000000) {
    AppendInt(followers / 1000, out);
    out->push_back('k');
  } else {
    AppendInt(followers / 1000000, out);
    out->push_back('M');
  }
}

}  // namespace pinpipe::source
