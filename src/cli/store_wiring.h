// The object store as configured: lake.url and the s3.* settings turned into objstore options,
// for `pinpipe store`, the sink and the batch job.
#pragma once

#include <memory>
#include <string_view>

#include "cli/config.h"
#include "objstore/open.h"

namespace pinpipe::cli {

// s3.* as S3Options (credentials from the environment or profile, never the config).
Result<objstore::OpenOptions> StoreOpenOptions(const Config& config);

// Opens `url` (empty: lake.url, default <data_dir>/lake) with the configured S3 settings.
Result<std::unique_ptr<objstore::ObjectStore>> OpenConfiguredStore(const Config& config,
                                                                   std::string_view url = {});

}  // namespace pinpipe::cli
