#include "storage/token.h"

#include <openssl/evp.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace mullet {
namespace {

std::string Hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

Result<std::string> RandomHex(std::size_t count) {
  std::vector<unsigned char> bytes(count);
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + got, bytes.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(std::string("no random bytes from the kernel: ") + std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  return Hex(bytes.data(), bytes.size());
}

Result<std::string> NewToken() {
  Result<std::string> hex = RandomHex(32);
  if (!hex.ok()) return hex.status();
  return "mlt_" + *hex;
}

std::string TokenHash(std::string_view token) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int n = 0;
  // EVP_Digest fails only when out of memory; an empty hash then matches no
  // stored token.
  if (EVP_Digest(token.data(), token.size(), digest.data(), &n, EVP_sha256(), nullptr) != 1) return "";
  return Hex(digest.data(), n);
}

}  // namespace mullet
