#include "api/kafka_rest/common.h"

namespace pinpipe::api::kafka_rest {

http::Response ErrorResponse(const ErrorReply& e) {
  http::Response r;
  r.status = e.http_status;
  if (e.has_body) {
    r.content_type = std::string(kV2Json);
    r.body = RenderKafkaError(e);
  }
  return r;
}

http::Response JsonResponse(int status, std::string body, std::string_view content_type) {
  http::Response r;
  r.status = status;
  r.content_type = std::string(content_type);
  r.body = std::move(body);
  return r;
}

http::Response NoContent() {
  http::Response r;
  r.status = 204;
  return r;
}

Negotiated NegotiateOr406(const http::Request& req) {
  Negotiated n;
  auto type = NegotiateV2Response(req.header("accept").value_or(""));
  if (!type) {
    n.ok = false;
    n.error = ErrorResponse(kafka_errors::NotAcceptable());
    return n;
  }
  n.content_type = *type;
  return n;
}

}  // namespace pinpipe::api::kafka_rest
