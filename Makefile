# Arca — the user interface of the build. Every target first installs what is missing
# (scripts/install-deps.sh), so `make demo` and `make check` work on a fresh Debian 12.
#
#   make            build (build/)
#   make check      every test; the suite again under ASan+UBSan; a short run of each fuzz target;
#                   an install + out-of-tree build test
#   make demo       build and run the main demo
#   make bench      build optimised (build-bench/) and print the benchmark tables
#   make install PREFIX=/usr/local
#   make docs       API reference from the headers (docs/api/)
#   make clean

PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 15
CMAKE_ARGS ?=

.PHONY: all deps build check test test-asan fuzz install-test demo bench install docs clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS) >/dev/null
	@cmake --build build -j $(JOBS)

test: build
	ctest --test-dir build --output-on-failure -j $(JOBS)

# The ASan+UBSan build also carries the libFuzzer targets (clang).
build-asan: deps
	@CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DARCA_SANITIZE=ON -DARCA_FUZZ=ON \
		-DARCA_BUILD_BENCH=OFF $(CMAKE_ARGS) >/dev/null
	@cmake --build build-asan -j $(JOBS)

test-asan: build-asan
	ctest --test-dir build-asan --output-on-failure -j $(JOBS)

fuzz: build-asan
	@sh scripts/run-fuzzers.sh build-asan $(FUZZ_SECONDS)

install-test: build
	@sh scripts/install-test.sh

check: test test-asan fuzz install-test
	@echo "make check: all stages passed"

demo: build
	@sh scripts/demo.sh

bench: deps
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DARCA_BUILD_TESTS=OFF $(CMAKE_ARGS) >/dev/null
	@cmake --build build-bench -j $(JOBS)
	@sh scripts/run-bench.sh build-bench

install: build
	cmake --install build --prefix $(PREFIX)

docs: deps
	@doxygen docs/Doxyfile >/dev/null && echo "API reference written to docs/api/html/index.html"

clean:
	rm -rf build build-asan build-bench docs/api
