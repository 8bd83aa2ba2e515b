// Small helpers the store tests share.

#ifndef MULLET_TESTS_STORAGE_STORE_TEST_UTIL_H_
#define MULLET_TESTS_STORAGE_STORE_TEST_UTIL_H_

#include <sqlite3.h>

#include <string>

#include "storage/store.h"

namespace mullet::testing_store {

inline UtcTime At(const char* text) { return *ParseUtcTimestamp(text); }

inline EventSpec Spec(const char* type, double kw) {
  EventSpec s;
  s.type = type;
  s.kw = kw;
  return s;
}

// The values of `sql` read straight from the SQLite file at `path` (not
// through a store), concatenated; "NULL" for a null.
inline std::string SqliteQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string out;
  sqlite3_exec(
      db, sql.c_str(),
      [](void* o, int, char** v, char**) {
        *static_cast<std::string*>(o) += v[0] ? v[0] : "NULL";
        return 0;
      },
      &out, nullptr);
  sqlite3_close(db);
  return out;
}

}  // namespace mullet::testing_store

#endif  // MULLET_TESTS_STORAGE_STORE_TEST_UTIL_H_
