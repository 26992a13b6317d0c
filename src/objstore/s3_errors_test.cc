#include "objstore/s3_errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/status_matchers.h"

namespace pinpipe::objstore::s3 {
namespace {

using ::pinpipe::testing::StatusIs;
using ::testing::HasSubstr;

Status Map(int status, const std::string& code, const std::string& header = "") {
  std::string body;
  if (!code.empty()) {
    body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
           "</Code><Message>the message</Message><Resource>/b/k</Resource></Error>";
  }
  return ErrorToStatus(ParseErrorReply(status, body, header), "GET s3://b/k");
}

TEST(S3ErrorsTest, MapsS3CodesToStatus) {
  EXPECT_THAT(Map(404, "NoSuchKey"),
              StatusIs(StatusCode::kNotFound,
                       HasSubstr("GET s3://b/k: NoSuchKey (HTTP 404): the message")));
  EXPECT_THAT(Map(404, "NoSuchBucket"),
              StatusIs(StatusCode::kNotFound, HasSubstr("no such bucket")));
  EXPECT_THAT(Map(412, "PreconditionFailed"), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(Map(403, "InvalidAccessKeyId"),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("AWS_ACCESS_KEY_ID")));
  EXPECT_THAT(Map(403, "SignatureDoesNotMatch"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Map(403, "AccessDenied"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Map(400, "ExpiredToken"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Map(416, "InvalidRange"), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(Map(503, "SlowDown"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(Map(500, "InternalError"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(Map(409, "ConditionalRequestConflict"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(Map(400, "InvalidBucketName"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Map(400, "MalformedXML"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Map(301, "PermanentRedirect"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("s3.region")));
  EXPECT_THAT(Map(400, "AuthorizationHeaderMalformed"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Map(501, "NotImplemented"), StatusIs(StatusCode::kIOError));
}

TEST(S3ErrorsTest, BodilessRepliesMapByHeaderOrStatus) {
  EXPECT_THAT(Map(404, ""), StatusIs(StatusCode::kNotFound, HasSubstr("HTTP 404")));
  EXPECT_THAT(Map(403, ""), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Map(412, ""), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(Map(503, ""), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(Map(404, "", "NoSuchBucket"),
              StatusIs(StatusCode::kNotFound, HasSubstr("no such bucket")));
  // A body that is not an S3 error (a proxy's HTML page) maps by status.
  EXPECT_THAT(ErrorToStatus(ParseErrorReply(502, "<html>Bad gateway</html>"), "GET x"),
              StatusIs(StatusCode::kUnavailable, HasSubstr("HTTP 502")));
}

TEST(S3ErrorsTest, RetriesOnlyTransientFailures) {
  EXPECT_TRUE(IsRetryable({503, "SlowDown", ""}));
  EXPECT_TRUE(IsRetryable({500, "", ""}));
  EXPECT_TRUE(IsRetryable({429, "", ""}));
  EXPECT_TRUE(IsRetryable({400, "RequestTimeout", ""}));
  EXPECT_FALSE(IsRetryable({404, "NoSuchKey", ""}));
  EXPECT_FALSE(IsRetryable({403, "AccessDenied", ""}));
  EXPECT_FALSE(IsRetryable({412, "PreconditionFailed", ""}));
}

}  // namespace
}  // namespace pinpipe::objstore::s3
