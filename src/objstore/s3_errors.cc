#include "objstore/s3_errors.h"

#include <array>
#include <string>

#include "objstore/s3_wire.h"

namespace pinpipe::objstore::s3 {
namespace {

template <size_t N>
bool OneOf(std::string_view code, const std::array<std::string_view, N>& codes) {
  for (std::string_view c : codes) {
    if (code == c) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 3> kNotFound = {"NoSuchKey", "NoSuchBucket", "NoSuchUpload"};
constexpr std::array<std::string_view, 10> kDenied = {
    "AccessDenied",    "InvalidAccessKeyId",   "SignatureDoesNotMatch", "ExpiredToken",
    "InvalidToken",    "TokenRefreshRequired", "AllAccessDisabled",     "AccountProblem",
    "InvalidSecurity", "MissingSecurityHeader"};
constexpr std::array<std::string_view, 10> kRetryable = {"SlowDown",
                                                         "InternalError",
                                                         "ServiceUnavailable",
                                                         "RequestTimeout",
                                                         "Throttling",
                                                         "ThrottlingException",
                                                         "RequestLimitExceeded",
                                                         "TooManyRequestsException",
                                                         "ConditionalRequestConflict",
                                                         "OperationAborted"};
constexpr std::array<std::string_view, 4> kConfig = {
    "PermanentRedirect", "AuthorizationHeaderMalformed", "RequestTimeTooSkewed",
    "IllegalLocationConstraintException"};

}  // namespace

ErrorReply ParseErrorReply(int http_status, std::string_view body,
                           std::string_view error_code_header) {
  ErrorReply reply;
  reply.http_status = http_status;
  if (body.find("<Error>") != std::string_view::npos) {
    reply.code = XmlText(body, "Code");
    reply.message = XmlText(body, "Message");
  }
  if (reply.code.empty()) reply.code = std::string(error_code_header);
  return reply;
}

bool IsRetryable(const ErrorReply& reply) {
  if (OneOf(reply.code, kRetryable)) return true;
  const int s = reply.http_status;
  return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

Status ErrorToStatus(const ErrorReply& reply, std::string_view what) {
  std::string text = std::string(what) + ": ";
  text += reply.code.empty() ? "HTTP " + std::to_string(reply.http_status)
                             : reply.code + " (HTTP " + std::to_string(reply.http_status) + ")";
  if (!reply.message.empty()) text += ": " + reply.message;
  const std::string_view code = reply.code;
  const int s = reply.http_status;

  if (code == "NoSuchBucket") return NotFoundError(text + " (no such bucket)");
  if (OneOf(code, kNotFound) || (code.empty() && s == 404)) return NotFoundError(text);
  if (code == "PreconditionFailed" || (code.empty() && s == 412)) return AlreadyExistsError(text);
  if (OneOf(code, kDenied) || (code.empty() && (s == 401 || s == 403))) {
    return Status(StatusCode::kPermissionDenied,
                  text + " (check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile)");
  }
  if (code == "InvalidRange" || (code.empty() && s == 416)) return OutOfRangeError(text);
  if (IsRetryable(reply)) return UnavailableError(text);
  if (OneOf(code, kConfig) || (code.empty() && s == 301)) {
    return FailedPreconditionError(text + " (check s3.region and s3.endpoint)");
  }
  if (s >= 400 && s < 500) return InvalidArgumentError(text);
  return IOError(text);
}

}  // namespace pinpipe::objstore::s3
