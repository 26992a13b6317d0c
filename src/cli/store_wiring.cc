#include "cli/store_wiring.h"

namespace pinpipe::cli {

Result<objstore::OpenOptions> StoreOpenOptions(const Config& config) {
  objstore::OpenOptions o;
  o.s3.endpoint = config.s3.endpoint;
  o.s3.region = config.s3.region;
  o.s3.path_style = config.s3.path_style;
  ASSIGN_OR_RETURN(o.s3.credentials.source,
                   objstore::ParseCredentialsSource(config.s3.credentials));
  o.s3.credentials.profile = config.s3.profile;
  o.s3.multipart_threshold = static_cast<uint64_t>(config.s3.multipart_threshold_bytes);
  o.s3.part_size = static_cast<uint64_t>(config.s3.part_size_bytes);
  o.s3.max_attempts = static_cast<int>(config.s3.max_attempts);
  return o;
}

Result<std::unique_ptr<objstore::ObjectStore>> OpenConfiguredStore(const Config& config,
                                                                   std::string_view url) {
  ASSIGN_OR_RETURN(objstore::OpenOptions options, StoreOpenOptions(config));
  return objstore::OpenObjectStore(url.empty() ? config.LakeUrl() : std::string(url), options);
}

}  // namespace pinpipe::cli
