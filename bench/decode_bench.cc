// decode_bench: CPU of decoding Kafka REST v2 produce bodies (DecodeProduceV2: parse, minify,
// validate) and encoding their record batch, on one thread, without HTTP or disk: the
// user-space share of a batched produce, measured without the noise of a loaded server.
//
//   decode_bench BODIES_FILE [SECONDS]
// BODIES_FILE: one JSON request body per line, e.g. the batched bench's
// (bench/batch_ingest_bench.sh writes them into its Lua script; `sed -n
// 's/.*\[==\[\(.*\)\]==\].*/\1/p'` extracts them). Prints ns per record and MB/s of bodies.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "api/kafka_rest/produce_request.h"
#include "log/record_batch.h"

using namespace pinpipe;  // NOLINT(google-build-using-namespace)

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: decode_bench BODIES_FILE [SECONDS]\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  std::vector<std::string> bodies;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) bodies.push_back(line);
    bodies.back().reserve(line.size() + 64);
  }
  if (bodies.empty()) {
    std::fprintf(stderr, "decode_bench: no bodies in %s\n", argv[1]);
    return 2;
  }
  const double seconds = argc > 2 ? std::stod(argv[2]) : 3.0;
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  size_t records = 0, bytes = 0, rounds = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    for (const std::string& body : bodies) {
      auto r = api::kafka_rest::DecodeProduceV2(body, api::kafka_rest::EmbeddedFormat::kJson,
                                                /*to_partition=*/false);
      auto* req = std::get_if<api::kafka_rest::ProduceRequest>(&r);
      if (req == nullptr) {
        std::fprintf(stderr, "decode_bench: a body does not decode\n");
        return 1;
      }
      log::BatchBuilder builder(req->data.size());
      for (size_t i = 0; i < req->records.size(); ++i) {
        builder.Add(req->key(i), req->value(i).value_or(std::string_view()));
      }
      Result<log::EncodedBatch> batch = std::move(builder).Finish();
      if (!batch.ok()) {
        std::fprintf(stderr, "decode_bench: %s\n", batch.status().ToString().c_str());
        return 1;
      }
      records += req->records.size();
      bytes += body.size();
    }
    ++rounds;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::printf("decode_bench: %zu records in %.2f s: %.1f ns/record, %.0f MB/s of bodies\n", records,
              elapsed, elapsed * 1e9 / static_cast<double>(records),
              static_cast<double>(bytes) / elapsed / 1e6);
  return 0;
}
