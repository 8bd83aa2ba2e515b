// Store on SQLite 3 in WAL mode: one file, no server, readers never block
// the writer. Every change is one transaction with synchronous=FULL, so a
// change that returned is on the disk: a kill -9 or a power cut after it loses
// nothing, and a crash during it leaves the file as it was
// (tests/storage/sqlite_store_test.cpp kills a writer mid-stream).
//
// The schema is versioned: each migration runs once, in its own transaction,
// and its number is recorded in schema_migrations.

#ifndef MULLET_STORAGE_SQLITE_STORE_H_
#define MULLET_STORAGE_SQLITE_STORE_H_

#include <filesystem>
#include <memory>

#include "storage/store.h"

namespace mullet {

// Opens (creating when absent) the database at `path` and brings its schema
// up to date. IoError naming the file when it cannot be opened or is not a
// database; DataError when its schema is newer than this build knows.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& path);

}  // namespace mullet

#endif  // MULLET_STORAGE_SQLITE_STORE_H_
