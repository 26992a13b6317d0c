#include <string>

#include "engine/duckdb_internal.h"

namespace pinpipe::engine::internal {

Status FromDuckError(duckdb_error_type type, std::string_view message) {
  std::string msg = "duckdb: " + std::string(message);
  switch (type) {
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return ResourceExhaustedError(msg);
    case DUCKDB_ERROR_IO:
    case DUCKDB_ERROR_PERMISSION:
      return IOError(msg);
    case DUCKDB_ERROR_INTERRUPT:
      return CancelledError(msg);
    case DUCKDB_ERROR_CONSTRAINT:
    case DUCKDB_ERROR_TRANSACTION:
    case DUCKDB_ERROR_DEPENDENCY:
      return FailedPreconditionError(msg);
    case DUCKDB_ERROR_NOT_IMPLEMENTED:
    case DUCKDB_ERROR_MISSING_EXTENSION:
    case DUCKDB_ERROR_AUTOLOAD:
      return UnimplementedError(msg);
    case DUCKDB_ERROR_CATALOG:
      return NotFoundError(msg);
    case DUCKDB_ERROR_FATAL:
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_NULL_POINTER:
      return InternalError(msg);
    case DUCKDB_ERROR_OUT_OF_RANGE:
      return OutOfRangeError(msg);
    default:  // parser, binder, conversion, invalid input, syntax, ...: the SQL or its data
      return InvalidArgumentError(msg);
  }
}

Status QueryError(duckdb_result* result, std::string_view context) {
  const char* err = duckdb_result_error(result);
  Status s = FromDuckError(duckdb_result_error_type(result), err != nullptr ? err : "query failed");
  return context.empty() ? s : s.WithContext(context);
}

Status AppenderError(duckdb_appender appender, std::string_view context) {
  duckdb_error_data data = duckdb_appender_error_data(appender);
  Status s = data != nullptr && duckdb_error_data_has_error(data)
                 ? FromDuckError(duckdb_error_data_error_type(data),
                                 duckdb_error_data_message(data))
                 : InternalError("duckdb: appender failed");
  if (data != nullptr) duckdb_destroy_error_data(&data);
  return context.empty() ? s : s.WithContext(context);
}

}  // namespace pinpipe::engine::internal
