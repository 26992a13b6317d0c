// Query results for people and for files: an aligned text table (as `pinpipe query` and
// `pinpipe batch` print), CSV (RFC 4180, header row, NULL as an empty field) and JSON lines
// (one object per row, keys in column order, NULL as null, timestamps as
// "YYYY-MM-DD HH:MM:SS" UTC text, lists as arrays).
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "engine/value.h"

namespace pinpipe::batch {

enum class OutputFormat { kTable, kCsv, kJson };

// "table" | "csv" | "json".
bool ParseOutputFormat(std::string_view text, OutputFormat* out);

std::string FormatTable(const engine::QueryResult& result);
std::string FormatCsv(const engine::QueryResult& result);
std::string FormatJsonLines(const engine::QueryResult& result);
std::string Format(const engine::QueryResult& result, OutputFormat format);

}  // namespace pinpipe::batch
