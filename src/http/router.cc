#include "http/router.h"

#include <utility>

namespace pinpipe::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits "/a/b/c" into {"a","b","c"}; "/" gives {}. An empty segment ("//", trailing '/')
// is kept as "" so it matches nothing.
void SplitPath(std::string_view path, std::vector<std::string_view>* out) {
  out->clear();
  if (path.empty() || path[0] != '/') return;
  path.remove_prefix(1);
  if (path.empty()) return;
  while (true) {
    size_t slash = path.find('/');
    out->push_back(path.substr(0, slash));
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
  SplitPath(pattern, &parts);
  for (std::string_view part : parts) {
    if (part.empty()) return InvalidArgumentError("empty segment in " + std::string(pattern));
    bool braces = part.find_first_of("{}") != std::string_view::npos;
    if (braces && (!IsParam(part) || part.size() == 2 ||
                   part.substr(1, part.size() - 2).find_first_of("{}") != std::string_view::npos)) {
      return InvalidArgumentError("malformed parameter '" + std::string(part) + "'");
    }
    route.segments.emplace_back(part);
  }
  for (const Route& r : routes_) {
    if (r.method == route.method && r.segments == route.segments) {
      return AlreadyExistsError(route.method + " " + std::string(pattern) + " already routed");
    }
  }
  routes_.push_back(std::move(route));
  return Status::OK();
}

RouteMatch Router::Lookup(std::string_view method, std::string_view path) const {
  RouteMatch result;
  std::vector<std::string_view> raw;
  SplitPath(path, &raw);
  // Segments decoded lazily: most paths have no '%'.
  std::vector<std::string> decoded(raw.size());
  std::vector<bool> decoded_ok(raw.size(), false);
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].find('%') == std::string_view::npos) continue;
    Result<std::string> d = PercentDecode(raw[i], /*plus_is_space=*/false);
    if (!d.ok()) {
      result.kind = RouteMatch::Kind::kBadParam;
      result.error = "bad percent-encoding in path segment '" + std::string(raw[i]) + "'";
      return result;
    }
    decoded[i] = std::move(*d);
    decoded_ok[i] = true;
  }
  auto segment = [&](size_t i) -> std::string_view {
    return decoded_ok[i] ? std::string_view(decoded[i]) : raw[i];
  };

  const Route* best = nullptr;
  std::vector<bool> best_shape;  // true = literal, per segment
  for (const Route& r : routes_) {
    if (r.segments.size() != raw.size()) continue;
    std::vector<bool> shape(raw.size());
    bool match = true;
    for (size_t i = 0; i < raw.size() && match; ++i) {
      shape[i] = !IsParam(r.segments[i]);
      match = shape[i] ? segment(i) == r.segments[i] : !raw[i].empty();
    }
    if (!match) continue;
    if (r.method != method) {
      if (result.allow.find(r.method) == std::string::npos) {
        if (!result.allow.empty()) result.allow += ", ";
        result.allow += r.method;
      }
      continue;
    }
    if (best == nullptr || shape > best_shape) {
      best = &r;
      best_shape = std::move(shape);
    }
  }
  if (best == nullptr) {
    result.kind = result.allow.empty() ? RouteMatch::Kind::kNotFound
                                       : RouteMatch::Kind::kMethodNotAllowed;
    return result;
  }
  result.allow.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    if (!IsParam(best->segments[i])) continue;
    std::string value(segment(i));
    if (value.find('/') != std::string::npos || value.find('\0') != std::string::npos) {
      result.kind = RouteMatch::Kind::kBadParam;
      result.error = "path parameter " + best->segments[i] + " may not contain '/' or NUL";
      result.params.clear();
      return result;
    }
    const std::string& name = best->segments[i];
    result.params.emplace_back(name.substr(1, name.size() - 2), std::move(value));
  }
  result.kind = RouteMatch::Kind::kFound;
  result.route = best;
  return result;
}

}  // namespace pinpipe::http
