// Bearer tokens: 32 bytes from the kernel's random source, written as
// "mlt_" and 64 hex digits. Only their SHA-256 is stored: with 256 bits of
// entropy a token cannot be guessed from its hash, so a slow password hash
// would add nothing but latency to every request.

#ifndef MULLET_STORAGE_TOKEN_H_
#define MULLET_STORAGE_TOKEN_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status/result.h"

namespace mullet {

// A fresh token. IoError when the kernel gives no random bytes.
Result<std::string> NewToken();

// `bytes` random bytes from the kernel as lowercase hex.
Result<std::string> RandomHex(std::size_t bytes);

// The lowercase hex SHA-256 of `token`, as stored.
std::string TokenHash(std::string_view token);

}  // namespace mullet

#endif  // MULLET_STORAGE_TOKEN_H_
