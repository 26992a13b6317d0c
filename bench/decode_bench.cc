// decode_bench: CPU of decoding Kafka REST v2 produce bodies (DecodeProduceV2: parse, minify,
// validate) and encoding their record batch, on one thread, without HTTP or disk: the
// user-space share of a batched produce, measured without the noise of a loaded server.
//
//   decode_bench BODIES_FILE [SECONDS]
// BODIES_FILE: one JSON request body per line (bench/batch_ingest_bench.sh writes its own and
// runs this on them). Prints ns per record and MB/s of bodies, for the decode and for its
// baseline, simdjson's DOM parse alone of the same bodies (the floor of any decoder built on
// it), and their ratio.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include <simdjson.h>

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
    if (line.empty()) continue;
    bodies.push_back(line);
    bodies.back().reserve(line.size() + simdjson::SIMDJSON_PADDING);  // parsed in place
  }
  if (bodies.empty()) {
    std::fprintf(stderr, "decode_bench: no bodies in %s\n", argv[1]);
    return 2;
  }
  const double seconds = argc > 2 ? std::stod(argv[2]) : 3.0;
  size_t records_per_round = 0;
  // Runs `one` over every body until `seconds` have passed; returns ns per record.
  auto time = [&](auto one) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    size_t rounds = 0;
    double elapsed = 0;
    while (elapsed < seconds) {
      for (const std::string& body : bodies) {
        if (!one(body)) return -1.0;
      }
      ++rounds;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    return elapsed * 1e9 / static_cast<double>(rounds * records_per_round);
  };
  size_t body_bytes = 0;
  for (const std::string& body : bodies) {
    auto r = api::kafka_rest::DecodeProduceV2(body, api::kafka_rest::EmbeddedFormat::kJson, false);
    auto* req = std::get_if<api::kafka_rest::ProduceRequest>(&r);
    if (req == nullptr) {
      std::fprintf(stderr, "decode_bench: a body does not decode\n");
      return 1;
    }
    records_per_round += req->records.size();
    body_bytes += body.size();
  }
  const double bytes_per_record =
      static_cast<double>(body_bytes) / static_cast<double>(records_per_round);

  simdjson::dom::parser parser;
  const double parse_ns = time([&](const std::string& body) {
    simdjson::dom::element root;
    return parser.parse(body.data(), body.size(), /*realloc_if_needed=*/false).get(root) ==
           simdjson::SUCCESS;
  });
  const double decode_ns = time([&](const std::string& body) {
    auto r = api::kafka_rest::DecodeProduceV2(body, api::kafka_rest::EmbeddedFormat::kJson,
                                              /*to_partition=*/false, std::nullopt,
                                              /*body_padded=*/true);
    auto* req = std::get_if<api::kafka_rest::ProduceRequest>(&r);
    if (req == nullptr) return false;
    log::BatchBuilder builder(req->data.size());
    for (size_t i = 0; i < req->records.size(); ++i) {
      builder.Add(req->key(i), req->value(i).value_or(std::string_view()));
    }
    return std::move(builder).Finish().ok();
  });
  if (parse_ns < 0 || decode_ns < 0) {
    std::fprintf(stderr, "decode_bench: a body failed\n");
    return 1;
  }
  std::printf("simdjson DOM parse alone   : %6.1f ns/record, %5.0f MB/s of bodies\n", parse_ns,
              bytes_per_record / parse_ns * 1e3);
  std::printf("decode + encode the batch  : %6.1f ns/record, %5.0f MB/s of bodies\n", decode_ns,
              bytes_per_record / decode_ns * 1e3);
  std::printf("decode/parse = %.2f  (%zu bodies, %zu records each round)\n", decode_ns / parse_ns,
              bodies.size(), records_per_round);
  return 0;
}
