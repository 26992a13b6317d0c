// The streaming half of Session: a request body fed to a BodyStream in pieces, and a chunked
// response written back after each piece.
#include <utility>

#include <boost/asio/write.hpp>

#include "http/session.h"

namespace pinpipe::http::internal {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

constexpr size_t kPieceBytes = 64 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

void Session::StartStream() {
  Dispatch(
      [self = shared_from_this()] {
        return self->match_.route->streaming(self->MakeRequest(self->head_parser_->get(), {}));
      },
      [self = shared_from_this()](StreamStart start) { self->OnStreamStart(std::move(start)); });
}

void Session::OnStreamStart(StreamStart start) {
  if (phase_ == Phase::kClosed) return;
  if (!start.stream) {
    close_after_ = !head_parser_->is_done();
    return WriteResponse(std::move(start.head));
  }
  body_stream_ = std::move(start.stream);
  status_ = start.head.status;
  uint64_t limit = match_.route->options.max_stream_body_bytes;
  stream_parser_.emplace(std::move(*head_parser_));
  head_parser_.reset();
  stream_parser_->body_limit(limit == 0 ? boost::optional<std::uint64_t>()
                                        : boost::optional<std::uint64_t>(limit));

  auto head = std::make_shared<bhttp::response<bhttp::empty_body>>();
  head->version(version_);
  head->result(static_cast<unsigned>(start.head.status));
  if (!start.head.content_type.empty()) {
    head->set(bhttp::field::content_type, start.head.content_type);
  }
  for (const Header& h : start.head.headers) head->insert(h.name, h.value);
  head->keep_alive(keep_alive_ && !state_->stopping.load());
  head->chunked(true);
  close_after_ = !head->keep_alive();
  head_out_ = head;
  if (expect_continue_ && !stream_parser_->is_done()) {
    phase_ = Phase::kWriting;
    SetDeadline(state_->options.write_timeout);
    net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t n) {
                       self->state_->metrics.AddBytesWritten(n);
                       ec = self->Checked(ec);
                       if (ec) return self->Close();
                       self->WriteStreamHead();
                     });
    return;
  }
  WriteStreamHead();
}

void Session::WriteStreamHead() {
  phase_ = Phase::kWriting;
  auto head = std::static_pointer_cast<bhttp::response<bhttp::empty_body>>(head_out_);
  auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
  SetDeadline(state_->options.write_timeout);
  bhttp::async_write_header(socket_, *sr,
                            [self = shared_from_this(), sr](beast::error_code ec, size_t n) {
                              self->state_->metrics.AddBytesWritten(n);
                              ec = self->Checked(ec);
                              self->head_out_.reset();
                              if (ec) return self->Close();
                              self->ReadPiece();
                            });
}

void Session::ReadPiece() {
  if (stream_parser_->is_done()) return FinishStream();
  phase_ = Phase::kReading;
  if (piece_.empty()) piece_.resize(kPieceBytes);
  auto& body = stream_parser_->get().body();
  body.data = piece_.data();
  body.size = piece_.size();
  SetDeadline(state_->options.body_timeout);
  bhttp::async_read_some(socket_, buffer_, *stream_parser_,
                         [self = shared_from_this()](beast::error_code ec, size_t n) {
                           self->OnPiece(self->Checked(ec), n);
                         });
}

void Session::OnPiece(beast::error_code ec, size_t n) {
  state_->metrics.AddBytesRead(n);
  if (ec == bhttp::error::need_buffer) ec = {};
  if (ec) {
    // The response head is already out, so a protocol error cannot be reported: close.
    if (ec == beast::error::timeout) state_->metrics.Timeout();
    return Close();
  }
  size_t got = piece_.size() - stream_parser_->get().body().size;
  if (got == 0) return ReadPiece();
  phase_ = Phase::kHandling;
  Dispatch(
      [self = shared_from_this(), got] {
        self->body_stream_->OnData(std::string_view(self->piece_.data(), got), self->writer_);
        return 0;
      },
      [self = shared_from_this()](int) { self->FlushChunk(false, [self] { self->ReadPiece(); }); });
}

template <typename Next>
void Session::FlushChunk(bool last, Next next) {
  if (phase_ == Phase::kClosed) return;
  chunk_out_.swap(writer_.buffer());
  writer_.buffer().clear();
  if (chunk_out_.empty() && !last) return next();
  phase_ = Phase::kWriting;
  SetDeadline(state_->options.write_timeout);
  auto done = [self = shared_from_this(), next = std::move(next)](beast::error_code ec,
                                                                  size_t n) mutable {
    self->state_->metrics.AddBytesWritten(n);
    ec = self->Checked(ec);
    self->chunk_out_.clear();
    if (ec) return self->Close();
    next();
  };
  if (!last) {
    net::async_write(socket_, bhttp::make_chunk(net::buffer(chunk_out_)), std::move(done));
  } else if (chunk_out_.empty()) {
    net::async_write(socket_, bhttp::make_chunk_last(), std::move(done));
  } else {
    net::async_write(socket_, bhttp::chunk_body<net::const_buffer>(net::buffer(chunk_out_)),
                     [self = shared_from_this(), done = std::move(done)](beast::error_code ec,
                                                                         size_t n) mutable {
                       if (ec) return done(ec, n);
                       self->state_->metrics.AddBytesWritten(n);
                       net::async_write(self->socket_, bhttp::make_chunk_last(), std::move(done));
                     });
  }
}

void Session::FinishStream() {
  phase_ = Phase::kHandling;
  Dispatch(
      [self = shared_from_this()] {
        self->body_stream_->OnEnd(self->writer_);
        return 0;
      },
      [self = shared_from_this()](int) {
        self->body_stream_.reset();
        self->FlushChunk(true, [self] {
          self->OnWritten({}, 0, self->close_after_ || self->state_->stopping.load());
        });
      });
}

void Session::AbortStream() {
  if (!body_stream_) return;
  body_stream_->OnAbort();
  body_stream_.reset();
}

}  // namespace pinpipe::http::internal
