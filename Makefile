# The two commands a newcomer needs: `make run` and `make test`.
# Both install what is missing (scripts/setup), configure and build first.
PRESET ?= debug
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup build run test test-asan test-tsan test-gcc bench clean

setup:
	@scripts/setup

build: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET)

# The main demo: the group chat server (seed 002's ChatServer on selectors).
run: PRESET = release
run: build
	@build/$(PRESET)/bin/chat-server --impl selectors --host $(HOST) --port $(PORT)

test: build
	@ctest --preset $(PRESET)

test-asan:
	@$(MAKE) --no-print-directory test PRESET=asan-ubsan

# Every suite on all four backends (about 5 min with the build). clang-19's
# runtime copes with high-entropy ASLR (vm.mmap_rnd_bits=32) by itself.
test-tsan:
	@$(MAKE) --no-print-directory test PRESET=tsan

test-gcc:
	@$(MAKE) --no-print-directory test PRESET=gcc

# Echo servers side by side (issue 5 §3): tulip against C epoll / io_uring,
# libuv, Asio, asyncio and uvloop; ~12 min, rewrites docs/benchmarks.md's
# results and docs/bench/*.png. BENCH_ARGS=--quick for a 1-minute smoke run.
bench: PRESET = release
bench: setup
	@scripts/setup-bench
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) --target bench_all
	@python3 bench/run/bench.py --bin build/$(PRESET)/bin $(BENCH_ARGS)

clean:
	rm -rf build
