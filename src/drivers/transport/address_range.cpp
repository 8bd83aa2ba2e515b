#include "drivers/transport/address_range.h"

#include <charconv>
#include <string>

namespace mullet {
namespace {

using boost::asio::ip::address_v4;
using tcp = boost::asio::ip::tcp;

Result<std::uint32_t> ParseV4(std::string_view text) {
  boost::system::error_code ec;
  const address_v4 a = boost::asio::ip::make_address_v4(std::string(text), ec);
  if (ec) return Status::InvalidArgument("'" + std::string(text) + "' is not an IPv4 address");
  return a.to_uint();
}

// One piece: a.b.c.d, a.b.c.d-e.f.g.h, or a.b.c.d/N, as [first, last].
Result<std::pair<std::uint32_t, std::uint32_t>> ParsePiece(std::string_view piece) {
  if (const size_t dash = piece.find('-'); dash != std::string_view::npos) {
    Result<std::uint32_t> lo = ParseV4(piece.substr(0, dash));
    if (!lo.ok()) return lo.status();
    Result<std::uint32_t> hi = ParseV4(piece.substr(dash + 1));
    if (!hi.ok()) return hi.status();
    if (*hi < *lo) return Status::InvalidArgument("range '" + std::string(piece) + "' ends before it starts");
    return std::pair{*lo, *hi};
  }
  if (const size_t slash = piece.find('/'); slash != std::string_view::npos) {
    Result<std::uint32_t> net = ParseV4(piece.substr(0, slash));
    if (!net.ok()) return net.status();
    const std::string_view bits_text = piece.substr(slash + 1);
    int bits = -1;
    auto [ptr, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
    if (ec != std::errc() || ptr != bits_text.data() + bits_text.size() || bits < 0 || bits > 32) {
      return Status::InvalidArgument("'" + std::string(piece) + "' has no prefix length 0-32");
    }
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    std::uint32_t lo = *net & mask;
    std::uint32_t hi = lo | ~mask;
    if (bits < 31) {  // skip the network and broadcast addresses
      ++lo;
      --hi;
    }
    return std::pair{lo, hi};
  }
  Result<std::uint32_t> one = ParseV4(piece);
  if (!one.ok()) return one.status();
  return std::pair{*one, *one};
}

}  // namespace

Result<std::vector<tcp::endpoint>> ParseAddressRange(std::string_view text, std::uint16_t port,
                                                     std::size_t max_addresses) {
  std::vector<tcp::endpoint> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string_view piece =
        text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (piece.empty()) return Status::InvalidArgument("empty address in '" + std::string(text) + "'");
    Result<std::pair<std::uint32_t, std::uint32_t>> r = ParsePiece(piece);
    if (!r.ok()) return r.status();
    const std::uint64_t count = std::uint64_t{r->second} - r->first + 1;
    if (out.size() + count > max_addresses) {
      return Status::InvalidArgument("'" + std::string(text) + "' holds more than " +
                                     std::to_string(max_addresses) + " addresses");
    }
    for (std::uint64_t a = r->first; a <= r->second; ++a) {
      out.emplace_back(address_v4(static_cast<std::uint32_t>(a)), port);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace mullet
