// Miner address ranges as operators write them: "127.1.0.1-127.1.3.232",
// "10.20.0.0/22", "127.1.0.7", or a comma list of those.

#ifndef MULLET_DRIVERS_TRANSPORT_ADDRESS_RANGE_H_
#define MULLET_DRIVERS_TRANSPORT_ADDRESS_RANGE_H_

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status/result.h"

namespace mullet {

// Every IPv4 address of `text`, in order, each with `port`. A /N block keeps
// its network and broadcast addresses only for /31 and /32. At most
// `max_addresses` (InvalidArgument past it, naming the count).
Result<std::vector<boost::asio::ip::tcp::endpoint>> ParseAddressRange(std::string_view text,
                                                                      std::uint16_t port,
                                                                      std::size_t max_addresses = 1 << 20);

}  // namespace mullet

#endif  // MULLET_DRIVERS_TRANSPORT_ADDRESS_RANGE_H_
