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

test-tsan:
	@$(MAKE) --no-print-directory test PRESET=tsan

test-gcc:
	@$(MAKE) --no-print-directory test PRESET=gcc

bench: PRESET = release
bench: build
	@build/$(PRESET)/bin/selector_scale

clean:
	rm -rf build
