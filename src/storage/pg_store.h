// Store on PostgreSQL, for sites whose state outgrows one file or must live
// on a database server. The same interface, schema and rules as the SQLite
// store (sqlite_store.h): each change and its audit row in one transaction,
// events stored once per source id, versioned migrations (taken under an
// advisory lock, so two daemons starting at once migrate once).
//
// libpq is loaded when a postgresql:// URL is first opened (dlopen of
// libpq.so.5), not linked: every other mullet command starts without it and
// the two dozen libraries it pulls in.

#ifndef MULLET_STORAGE_PG_STORE_H_
#define MULLET_STORAGE_PG_STORE_H_

#include <memory>
#include <string_view>

#include "storage/store.h"

namespace mullet {

// Connects to `url` (postgresql://user@host:port/db?..., libpq's syntax) and
// brings the schema up to date. IoError with libpq's reason when it cannot
// connect or libpq is not installed; DataError when the schema is newer than
// this build knows.
Result<std::unique_ptr<Store>> OpenPgStore(std::string_view url);

// A postgresql:// or postgres:// URL opens PostgreSQL; anything else is the
// path of a SQLite file.
Result<std::unique_ptr<Store>> OpenStore(std::string_view db);

}  // namespace mullet

#endif  // MULLET_STORAGE_PG_STORE_H_
