// The small pieces of S3's wire format the S3 backend needs: AWS's URI encoding, values out
// of S3's XML replies, and its two date formats. Not a general XML parser: S3's replies are
// flat documents of a known shape, so finding `<Tag>text</Tag>` and decoding entities is enough.
//
// Pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pinpipe::objstore::s3 {

// AWS's URI encoding (SigV4): every byte but A-Z a-z 0-9 - _ . ~ as %XX, uppercase; '/' kept
// when `keep_slash` (object paths), encoded otherwise (query values).
std::string UriEncode(std::string_view s, bool keep_slash);

// The inner text of each `<tag>...</tag>` in document order (raw, still escaped).
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag);
// The decoded text of the first `<tag>`, or "" if there is none.
std::string XmlText(std::string_view xml, std::string_view tag);
// &amp; &lt; &gt; &quot; &apos; and numeric references (&#10; &#x1F;) decoded.
std::string XmlUnescape(std::string_view s);
std::string XmlEscape(std::string_view s);

// "2009-10-12T17:50:30.000Z" (ListObjectsV2's LastModified) -> Unix milliseconds.
Result<int64_t> ParseIso8601Ms(std::string_view s);
// "Mon, 12 Oct 2009 17:50:30 GMT" (the Last-Modified header) -> Unix milliseconds.
Result<int64_t> ParseHttpDateMs(std::string_view s);

// Lowercase hex SHA-256 of `data` (the x-amz-content-sha256 header).
std::string Sha256Hex(std::string_view data);

}  // namespace pinpipe::objstore::s3
