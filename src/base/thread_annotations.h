// Clang thread-safety annotations (-Wthread-safety); no-ops on other compilers. Used as in
// leveldb's port/thread_annotations.h: every field a mutex protects says GUARDED_BY(mu_).
//
// std::mutex is not an annotated capability type under libstdc++, so with std::mutex these
// annotations are documentation that clang checks only where a capability type is used.
#pragma once

#if defined(__clang__)
#define PINPIPE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define PINPIPE_THREAD_ANNOTATION(x)
#endif

#define GUARDED_BY(x) PINPIPE_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) PINPIPE_THREAD_ANNOTATION(pt_guarded_by(x))
#define EXCLUSIVE_LOCKS_REQUIRED(...) \
  PINPIPE_THREAD_ANNOTATION(exclusive_locks_required(__VA_ARGS__))
#define LOCKS_EXCLUDED(...) PINPIPE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS PINPIPE_THREAD_ANNOTATION(no_thread_safety_analysis)
