#include "http/router.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace pinpipe::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Calls f with each segment of "/a/b/c" ("a", "b", "c"); "/" has none. An empty segment
// ("//", trailing '/') is passed as "" so it matches nothing.
template <typename F>
void ForEachSegment(std::string_view path, F f) {
  if (path.empty() || path[0] != '/') return;
  path.remove_prefix(1);
  if (path.empty()) return;
  while (true) {
    size_t slash = path.find('/');
    f(path.substr(0, slash));
    if (slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Result<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return InvalidArgumentError("truncated percent escape");
      }
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return InvalidArgumentError("bad percent escape");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string_view StripBasePath(std::string_view path, std::string_view base_path) {
  while (!base_path.empty() && base_path.back() == '/') base_path.remove_suffix(1);
  if (base_path.empty() || path.substr(0, base_path.size()) != base_path) return path;
  std::string_view rest = path.substr(base_path.size());
  if (rest.empty()) return "/";
  if (rest[0] != '/') return path;  // "/testing" is not under "/test"
  return rest;
}

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler,
                   RouteOptions options) {
  if (!handler) return InvalidArgumentError("null handler");
  Route route;
  route.method = std::string(method);
  route.handler = std::move(handler);
  route.options = options;
  return AddRoute(std::move(route), pattern);
}

Status Router::AddAsync(std::string_view method, std::string_view pattern, AsyncHandler handler,
                        RouteOptions options) {
  if (!handler) return InvalidArgumentError("null handler");
  Route route;
  route.method = std::string(method);
  route.async = std::move(handler);
  route.options = options;
  return AddRoute(std::move(route), pattern);
}

Status Router::AddStreaming(std::string_view method, std::string_view pattern,
                            StreamingHandler handler, RouteOptions options) {
  if (!handler) return InvalidArgumentError("null handler");
  Route route;
  route.method = std::string(method);
  route.streaming = std::move(handler);
  route.options = options;
  return AddRoute(std::move(route), pattern);
}

Status Router::AddRoute(Route route, std::string_view pattern) {
  if (route.method.empty()) return InvalidArgumentError("empty method");
  if (pattern.empty() || pattern[0] != '/') {
    return InvalidArgumentError("pattern must start with '/': " + std::string(pattern));
  }
  std::vector<std::string_view> parts;
  ForEachSegment(pattern, [&](std::string_view part) { parts.push_back(part); });
  if (parts.size() > kMaxSegments) {
    return InvalidArgumentError("more than " + std::to_string(kMaxSegments) + " segments in " +
                                std::string(pattern));
  }
  for (std::string_view part : parts) {
    if (part.empty()) return InvalidArgumentError("empty segment in " + std::string(pattern));
    bool braces = part.find_first_of("{}") != std::string_view::npos;
    if (braces && (!IsParam(part) || part.size() == 2 ||
                   part.substr(1, part.size() - 2).find_first_of("{}") != std::string_view::npos)) {
      return InvalidArgumentError("malformed parameter '" + std::string(part) + "'");
    }
    if (!braces) route.shape |= uint64_t{1} << (63 - route.segments.size());
    route.segments.emplace_back(part);
  }
  for (const Route& r : routes_) {
    if (r.method == route.method && r.segments == route.segments) {
      return AlreadyExistsError(route.method + " " + std::string(pattern) + " already routed");
    }
  }
  by_length_[route.segments.size()].push_back(static_cast<uint32_t>(routes_.size()));
  routes_.push_back(std::move(route));
  return Status::OK();
}

RouteMatch Router::Lookup(std::string_view method, std::string_view path) const {
  RouteMatch result;
  Lookup(method, path, &result);
  return result;
}

void Router::Lookup(std::string_view method, std::string_view path, RouteMatch* out) const {
  RouteMatch& result = *out;
  result.kind = RouteMatch::Kind::kNotFound;
  result.route = nullptr;
  result.allow.clear();
  result.error.clear();
  size_t param_count = 0;  // result.params is reused: its strings keep their capacity
  // Paths longer than every route match nothing; their segments are only checked for
  // well-formed percent escapes (a 400 either way).
  std::array<std::string_view, kMaxSegments> raw;
  size_t n = 0;
  bool escaped = false;
  ForEachSegment(path, [&](std::string_view segment) {
    if (n < kMaxSegments) raw[n] = segment;
    n++;
    escaped = escaped || segment.find('%') != std::string_view::npos;
  });
  // The segments as compared and handed over: decoded where they have a '%' (most paths have
  // none, and then nothing is decoded or allocated).
  std::array<std::string_view, kMaxSegments> segment = raw;
  std::vector<std::string> decoded;
  if (escaped) {
    decoded.reserve(std::min(n, kMaxSegments));  // segment[] views them: no reallocation
    std::string_view bad;
    size_t i = 0;
    ForEachSegment(path, [&](std::string_view s) {
      const size_t at = i++;
      if (!bad.empty() || s.find('%') == std::string_view::npos) return;
      Result<std::string> d = PercentDecode(s, /*plus_is_space=*/false);
      if (!d.ok()) {
        bad = s;
      } else if (at < kMaxSegments) {
        decoded.push_back(std::move(*d));
        segment[at] = decoded.back();
      }
    });
    if (!bad.empty()) {
      result.kind = RouteMatch::Kind::kBadParam;
      result.error = "bad percent-encoding in path segment '" + std::string(bad) + "'";
      result.params.clear();
      return;
    }
  }
  if (n > kMaxSegments) {
    result.params.clear();
    return;
  }
  // A route of n segments: literals compare with the (decoded) segment; a parameter takes any
  // non-empty one.
  auto matches = [&](const Route& r) {
    for (size_t k = 0; k < n; ++k) {
      const bool literal = (r.shape >> (63 - k)) & 1;
      if (literal ? segment[k] != r.segments[k] : raw[k].empty()) return false;
    }
    return true;
  };
  // The most specific route of this method: literals win, leftmost first (a greater shape).
  const Route* best = nullptr;
  const std::vector<uint32_t>& candidates = by_length_[n];
  for (uint32_t i : candidates) {
    const Route& r = routes_[i];
    if (r.method != method || !matches(r)) continue;
    if (best == nullptr || r.shape > best->shape) best = &r;
  }
  if (best == nullptr) {
    // The methods the path has, for a 405's Allow.
    for (uint32_t i : candidates) {
      const Route& r = routes_[i];
      if (r.method == method || !matches(r)) continue;
      if (result.allow.find(r.method) == std::string::npos) {
        if (!result.allow.empty()) result.allow += ", ";
        result.allow += r.method;
      }
    }
    result.kind =
        result.allow.empty() ? RouteMatch::Kind::kNotFound : RouteMatch::Kind::kMethodNotAllowed;
    result.params.clear();
    return;
  }
  for (size_t k = 0; k < n; ++k) {
    if (!IsParam(best->segments[k])) continue;
    std::string_view value = segment[k];
    if (value.find('/') != std::string_view::npos || value.find('\0') != std::string_view::npos) {
      result.kind = RouteMatch::Kind::kBadParam;
      result.error = "path parameter " + best->segments[k] + " may not contain '/' or NUL";
      result.params.clear();
      return;
    }
    const std::string& name = best->segments[k];
    if (param_count == result.params.size()) result.params.emplace_back();
    auto& [param_name, param_value] = result.params[param_count++];
    param_name.assign(name, 1, name.size() - 2);
    param_value.assign(value);
  }
  result.params.resize(param_count);
  result.kind = RouteMatch::Kind::kFound;
  result.route = best;
}

}  // namespace pinpipe::http
