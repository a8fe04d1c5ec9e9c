// Which sanitizer a test binary is built with, for the few tests that cannot run
// under one. clang says so through __has_feature, g++ through __SANITIZE_*__.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define TULIP_TEST_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define TULIP_TEST_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TULIP_TEST_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define TULIP_TEST_TSAN 1
#endif
#endif

// The sanitizer runtimes need descriptors of their own (UBSan's vptr check opens a
// pipe to probe memory; ASan's reports read /proc), so with none left they fail
// before tulip does: tests that run out of descriptors run in the plain builds.
#if defined(TULIP_TEST_ASAN) || defined(TULIP_TEST_TSAN)
#define TULIP_TEST_SANITIZED 1
#endif
