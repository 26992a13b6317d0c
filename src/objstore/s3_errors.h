// S3's error replies as pinpipe Status: the one place that knows S3's error codes. A reply is
// read from its XML body (<Error><Code>..</Code><Message>..</Message></Error>), or from the
// HTTP status when there is no body (HEAD) or it does not parse.
//
//   NoSuchKey, NoSuchBucket, NoSuchUpload, 404          -> kNotFound
//   PreconditionFailed, 412                             -> kAlreadyExists (If-None-Match: *)
//   AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken, 401, 403, ...
//                                                       -> kPermissionDenied
//   InvalidRange, 416                                   -> kOutOfRange
//   SlowDown, InternalError, ServiceUnavailable, RequestTimeout, Throttling...,
//   ConditionalRequestConflict, 429, 5xx                -> kUnavailable (retried first)
//   InvalidArgument, InvalidBucketName, KeyTooLongError, MalformedXML, InvalidPart, ...,
//   other 4xx                                           -> kInvalidArgument
//   PermanentRedirect, AuthorizationHeaderMalformed, RequestTimeTooSkewed, 301
//                                                       -> kFailedPrecondition (config)
//   anything else                                       -> kIOError
//
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace pinpipe::objstore::s3 {

struct ErrorReply {
  int http_status = 0;
  std::string code;     // S3's error code; "" if the reply had none
  std::string message;  // S3's message; "" if none
};

// Reads an error reply from a response's status, body and headers (s3rver also sends
// x-amz-error-code, used for bodiless replies).
ErrorReply ParseErrorReply(int http_status, std::string_view body,
                           std::string_view error_code_header = {});

// Worth retrying with backoff (throttling, 5xx, a conflicting concurrent conditional write).
bool IsRetryable(const ErrorReply& reply);

// The Status for `reply` to request `what` (e.g. "GET s3://bucket/key").
Status ErrorToStatus(const ErrorReply& reply, std::string_view what);

}  // namespace pinpipe::objstore::s3
