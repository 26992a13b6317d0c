# The two commands of the README, and a few more. Each one installs what is missing first.
#   make demo       build (release) and run the whole pipeline on embedded defaults
#   make test       build (debug) and run every test, then a 60 s smoke run of each fuzzer
#   make asan-test  the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      build (release) and run the benchmarks in bench/
#   make build      build the release binary only (build/release/pinpipe)
.PHONY: demo test asan-test bench build bootstrap bootstrap-test clean

JOBS ?= 2
DEMO_DIR ?= ./pinpipe-data
FUZZ_SECONDS ?= 60

bootstrap:
	@scripts/bootstrap

bootstrap-test:
	@scripts/bootstrap --test

build: bootstrap
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

demo: build
	./build/release/pinpipe demo --data-dir $(DEMO_DIR)

test: bootstrap-test
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)
	@scripts/fuzz_smoke $(FUZZ_SECONDS)
	@ctest --preset debug

asan-test: bootstrap-test
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ctest --preset asan

bench: build
	@bench/run_all

clean:
	rm -rf build
