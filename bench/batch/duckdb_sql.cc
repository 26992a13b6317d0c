// duckdb_sql: runs SQL files with the project's libduckdb, statement by statement. The runner of
// the pure-DuckDB benchmark peer (bench/batch/duckdb_batch.sh); bench code, so it includes
// duckdb.h directly instead of going through engine::Session.
//
//   duckdb_sql [-D name=value]... [--threads N] [--memory-limit SIZE] [-v] FILE.sql...
//
// Every `${name}` in the files is replaced by its -D value first (an unknown name is an error).
// The result of a statement that returns rows is printed as `|`-separated lines (NULL as
// empty). -v prints each statement's seconds and, at the end, the process's peak RSS to stderr.
// Exit 0, or 1 with the failing statement's number and DuckDB's message on stderr.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "duckdb.h"

namespace {

struct Options {
  std::map<std::string, std::string> vars;
  std::vector<std::string> files;
  std::string threads;
  std::string memory_limit;
  bool verbose = false;
};

int Usage() {
  std::fprintf(stderr,
               "usage: duckdb_sql [-D name=value]... [--threads N] [--memory-limit SIZE] [-v] "
               "FILE.sql...\n");
  return 2;
}

bool Substitute(const std::string& in, const std::map<std::string, std::string>& vars,
                std::string* out) {
  size_t pos = 0;
  while (true) {
    size_t start = in.find("${", pos);
    if (start == std::string::npos) break;
    size_t end = in.find('}', start);
    if (end == std::string::npos) break;
    std::string name = in.substr(start + 2, end - start - 2);
    auto it = vars.find(name);
    if (it == vars.end()) {
      std::fprintf(stderr, "duckdb_sql: no value for ${%s} (pass -D %s=...)\n", name.c_str(),
                   name.c_str());
      return false;
    }
    out->append(in, pos, start - pos).append(it->second);
    pos = end + 1;
  }
  out->append(in, pos, std::string::npos);
  return true;
}

void PrintRows(duckdb_result* result) {
  idx_t cols = duckdb_column_count(result);
  idx_t rows = duckdb_row_count(result);
  for (idx_t r = 0; r < rows; ++r) {
    for (idx_t c = 0; c < cols; ++c) {
      char* v = duckdb_value_varchar(result, c, r);
      std::printf("%s%s", c ? "|" : "", v ? v : "");
      duckdb_free(v);
    }
    std::printf("\n");
  }
}

int Run(const Options& opts) {
  std::string script;
  for (const std::string& file : opts.files) {
    std::ifstream in(file);
    if (!in) {
      std::fprintf(stderr, "duckdb_sql: cannot read %s\n", file.c_str());
      return 1;
    }
    std::stringstream text;
    text << in.rdbuf();
    if (!Substitute(text.str(), opts.vars, &script)) return 1;
    script.push_back('\n');
  }

  duckdb_database db;
  duckdb_connection con;
  duckdb_config config;
  duckdb_create_config(&config);
  if (!opts.threads.empty()) duckdb_set_config(config, "threads", opts.threads.c_str());
  if (!opts.memory_limit.empty()) {
    duckdb_set_config(config, "memory_limit", opts.memory_limit.c_str());
  }
  char* open_error = nullptr;
  if (duckdb_open_ext(nullptr, &db, config, &open_error) != DuckDBSuccess) {
    std::fprintf(stderr, "duckdb_sql: %s\n", open_error ? open_error : "cannot open DuckDB");
    duckdb_free(open_error);
    return 1;
  }
  duckdb_destroy_config(&config);
  duckdb_connect(db, &con);

  int rc = 0;
  duckdb_extracted_statements statements;
  idx_t count = duckdb_extract_statements(con, script.c_str(), &statements);
  if (count == 0) {
    const char* error = duckdb_extract_statements_error(statements);
    std::fprintf(stderr, "duckdb_sql: %s\n", error ? error : "no statement");
    rc = 1;
  }
  for (idx_t i = 0; i < count && rc == 0; ++i) {
    auto start = std::chrono::steady_clock::now();
    duckdb_prepared_statement prepared;
    duckdb_result result;
    if (duckdb_prepare_extracted_statement(con, statements, i, &prepared) != DuckDBSuccess) {
      std::fprintf(stderr, "duckdb_sql: statement %llu: %s\n",
                   static_cast<unsigned long long>(i + 1), duckdb_prepare_error(prepared));
      rc = 1;
    } else if (duckdb_execute_prepared(prepared, &result) != DuckDBSuccess) {
      std::fprintf(stderr, "duckdb_sql: statement %llu: %s\n",
                   static_cast<unsigned long long>(i + 1), duckdb_result_error(&result));
      duckdb_destroy_result(&result);
      rc = 1;
    } else {
      if (duckdb_result_return_type(result) == DUCKDB_RESULT_TYPE_QUERY_RESULT) {
        PrintRows(&result);
      }
      duckdb_destroy_result(&result);
      if (opts.verbose) {
        std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        std::fprintf(stderr, "duckdb_sql: statement %llu took %.3f s\n",
                     static_cast<unsigned long long>(i + 1), took.count());
      }
    }
    duckdb_destroy_prepare(&prepared);
  }
  duckdb_destroy_extracted(&statements);
  duckdb_disconnect(&con);
  duckdb_close(&db);
  if (opts.verbose) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::fprintf(stderr, "duckdb_sql: peak RSS %ld MiB\n", usage.ru_maxrss / 1024);
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "-D") {
      const char* kv = next();
      const char* eq = kv ? std::strchr(kv, '=') : nullptr;
      if (eq == nullptr) return Usage();
      opts.vars[std::string(kv, eq)] = eq + 1;
    } else if (arg == "--threads") {
      const char* v = next();
      if (v == nullptr) return Usage();
      opts.threads = v;
    } else if (arg == "--memory-limit") {
      const char* v = next();
      if (v == nullptr) return Usage();
      opts.memory_limit = v;
    } else if (arg == "-v") {
      opts.verbose = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage();
    } else {
      opts.files.push_back(arg);
    }
  }
  if (opts.files.empty()) return Usage();
  return Run(opts);
}
