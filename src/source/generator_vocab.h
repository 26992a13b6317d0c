// Word lists the generator draws from (internal to generator.cc; data, not logic).
//
// Every list is a static array of string literals: no allocation, safe from any thread.
#pragma once

#include <span>
#include <string_view>

namespace pinpipe::source::vocab {

inline constexpr int kCategoryCount = 13;

// The 13 categories of the original data, in alphabetical order.
std::span<const std::string_view> Categories();

// Tags of one category (index into Categories()); multi-word, title case, no commas.
std::span<const std::string_view> CategoryTags(int category);
// Nouns and phrases used to build titles and descriptions of one category.
std::span<const std::string_view> CategoryNouns(int category);

std::span<const std::string_view> Adjectives();
// Sentence templates; "{n}" is replaced by a noun phrase, "{t}" by a tag.
std::span<const std::string_view> DescriptionTemplates();
std::span<const std::string_view> TitleTemplates();

// Faker-style (en_US) country names, including the long ones of the original data.
std::span<const std::string_view> Countries();

std::span<const std::string_view> FirstNames();
std::span<const std::string_view> LastNames();
// Display names for brand-like posters, some with non-ASCII characters.
std::span<const std::string_view> BrandWords();
std::span<const std::string_view> UnicodeNames();

}  // namespace pinpipe::source::vocab
