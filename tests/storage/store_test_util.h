// Small helpers the store tests share.

#ifndef MULLET_TESTS_STORAGE_STORE_TEST_UTIL_H_
#define MULLET_TESTS_STORAGE_STORE_TEST_UTIL_H_

#include "storage/store.h"

namespace mullet::testing_store {

inline UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

inline EventSpec Spec(const char* type, double kw) {
  EventSpec s;
  s.type = type;
  s.kw = kw;
  return s;
}

}  // namespace mullet::testing_store

#endif  // MULLET_TESTS_STORAGE_STORE_TEST_UTIL_H_
