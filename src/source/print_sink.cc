#include <string>

#include "base/python_format.h"
#include "source/post_sink.h"

namespace pinpipe::source {
namespace {

// Builds "{'k': v, ...}" one key at a time.
class DictRepr {
 public:
  DictRepr& Str(const char* key, const std::optional<std::string>& v) {
    return Raw(key, v ? PythonStrRepr(*v) : "None");
  }
  DictRepr& Int(const char* key, const std::optional<int64_t>& v) {
    return Raw(key, v ? std::to_string(*v) : "None");
  }
  DictRepr& Float(const char* key, const std::optional<double>& v) {
    return Raw(key, v ? PythonFloat(*v) : "None");
  }
  DictRepr& Datetime(const char* key, const std::optional<std::string>& v) {
    return Raw(key, v ? PythonDatetimeRepr(*v) : "None");
  }
  std::string Done() { return out_ + "}"; }

 private:
  DictRepr& Raw(const char* key, const std::string& value) {
    out_ += out_.size() == 1 ? "'" : ", '";
    out_ += key;
    out_ += "': ";
    out_ += value;
    return *this;
  }
  std::string out_ = "{";
};

}  // namespace

std::string PinResultRepr(const model::RawPin& p) {
  return DictRepr()
      .Int("index", p.index)
      .Str("unique_id", p.unique_id)
      .Str("title", p.title)
      .Str("description", p.description)
      .Str("poster_name", p.poster_name)
      .Str("follower_count", p.follower_count)
      .Str("tag_list", p.tag_list)
      .Str("is_image_or_video", p.is_image_or_video)
      .Str("image_src", p.image_src)
      .Int("downloaded", p.downloaded)
      .Str("save_location", p.save_location)
      .Str("category", p.category)
      .Done();
}

std::string GeoResultRepr(const model::RawGeo& g) {
  return DictRepr()
      .Int("ind", g.ind)
      .Datetime("timestamp", g.timestamp)
      .Float("latitude", g.latitude)
      .Float("longitude", g.longitude)
      .Str("country", g.country)
      .Done();
}

std::string UserResultRepr(const model::RawUser& u) {
  return DictRepr()
      .Int("ind", u.ind)
      .Str("first_name", u.first_name)
      .Str("last_name", u.last_name)
      .Int("age", u.age)
      .Datetime("date_joined", u.date_joined)
      .Done();
}

Status PrintSink::Send(const model::Post& post) {
  std::string text = PinResultRepr(post.pin);
  text += '\n';
  text += GeoResultRepr(post.geo);
  text += '\n';
  text += UserResultRepr(post.user);
  text += '\n';
  if (std::fwrite(text.data(), 1, text.size(), out_) != text.size()) {
    return CancelledError("cannot write to the output (closed?)");
  }
  return Status::OK();
}

Status PrintSink::Flush() {
  if (std::fflush(out_) != 0) return CancelledError("cannot flush the output");
  return Status::OK();
}

}  // namespace pinpipe::source
