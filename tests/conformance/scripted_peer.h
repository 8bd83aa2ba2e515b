// A miner that answers what a test script says: a loopback server in the
// cgminer framing (one JSON request in, one reply out, then close), on its
// own thread. The script sees each command and parameter and returns the
// reply bytes, or kHang to say nothing until the client gives up. Every
// command received is kept, in order, for the test to read.

#ifndef MULLET_TESTS_CONFORMANCE_SCRIPTED_PEER_H_
#define MULLET_TESTS_CONFORMANCE_SCRIPTED_PEER_H_

#include <boost/asio.hpp>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace mullet::testing {

inline const std::string kHang = "\x01hang";
// A reply beginning with kRaw is sent as the bytes after it, unframed (a
// length-prefixed peer that lies about its length).
inline const std::string kRaw = "\x02raw";

class ScriptedPeer {
 public:
  using Script = std::function<std::string(const std::string& command, const std::string& parameter)>;

  // `length_prefixed`: Whatsminer API V3 framing (a 4-byte little-endian
  // length, then the JSON), `cmd` and `param` for command and parameter.
  ScriptedPeer(const std::string& address, Script script, bool length_prefixed = false)
      : script_(std::move(script)), length_prefixed_(length_prefixed) {
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.set_option(boost::asio::ip::tcp::acceptor::reuse_address(true));
    acceptor_.bind({boost::asio::ip::make_address(address), 0});
    acceptor_.listen();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ScriptedPeer() {
    io_.stop();
    thread_.join();
  }
  boost::asio::ip::tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
  std::vector<std::string> commands() const {
    std::lock_guard<std::mutex> lock(mu_);
    return commands_;
  }
  bool Received(const std::string& command_and_parameter) const {
    for (const std::string& c : commands()) {
      if (c == command_and_parameter) return true;
    }
    return false;
  }

 private:
  struct Connection {
    explicit Connection(boost::asio::io_context& io) : socket(io) {}
    boost::asio::ip::tcp::socket socket;
    std::string request;
    std::array<char, 4096> chunk{};
    std::string reply;
  };

  void Accept() {
    auto c = std::make_shared<Connection>(io_);
    acceptor_.async_accept(c->socket, [this, c](boost::system::error_code ec) {
      if (ec) return;
      Read(c);
      Accept();
    });
  }
  void Read(const std::shared_ptr<Connection>& c) {
    c->socket.async_read_some(boost::asio::buffer(c->chunk), [this, c](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      c->request.append(c->chunk.data(), n);
      std::string payload = c->request;
      if (length_prefixed_) {
        if (c->request.size() < 4) return Read(c);
        const auto* b = reinterpret_cast<const unsigned char*>(c->request.data());
        const std::size_t length = b[0] | b[1] << 8 | b[2] << 16 | static_cast<std::size_t>(b[3]) << 24;
        if (c->request.size() < 4 + length) return length < (1 << 16) ? Read(c) : void();
        payload = c->request.substr(4, length);
      }
      if (!nlohmann::json::accept(payload)) {
        if (c->request.size() < (1 << 16)) Read(c);
        return;
      }
      const nlohmann::json j = nlohmann::json::parse(payload);
      const std::string command = j.value(length_prefixed_ ? "cmd" : "command", "");
      const std::string parameter =
          length_prefixed_ ? (j.contains("param") ? j["param"].dump() : "") : j.value("parameter", "");
      {
        std::lock_guard<std::mutex> lock(mu_);
        commands_.push_back(parameter.empty() ? command : command + " " + parameter);
      }
      c->reply = script_(command, parameter);
      if (c->reply.rfind(kRaw, 0) == 0) {
        c->reply.erase(0, kRaw.size());
      } else if (length_prefixed_ && c->reply != kHang) {
        const std::size_t len = c->reply.size();
        const char prefix[4] = {static_cast<char>(len & 0xFF), static_cast<char>(len >> 8 & 0xFF),
                                static_cast<char>(len >> 16 & 0xFF), static_cast<char>(len >> 24 & 0xFF)};
        c->reply.insert(0, prefix, 4);
      }
      if (c->reply == kHang) {
        // Wait for the client to close; say nothing.
        c->socket.async_read_some(boost::asio::buffer(c->chunk), [c](boost::system::error_code, std::size_t) {});
        return;
      }
      boost::asio::async_write(c->socket, boost::asio::buffer(c->reply), [c](boost::system::error_code, std::size_t) {
        boost::system::error_code ignored;
        c->socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        c->socket.close(ignored);
      });
    });
  }

  Script script_;
  bool length_prefixed_ = false;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> commands_;
};

// A LuxOS reply with status S and `body`'s keys beside STATUS.
inline std::string LuxOk(nlohmann::json body = nlohmann::json::object()) {
  body["STATUS"] = {{{"STATUS", "S"}, {"When", 1719792000}, {"Code", 1}, {"Msg", "ok"}, {"Description", "LUXminer"}}};
  body["id"] = 1;
  return body.dump();
}

// `n` levels of nested arrays: "[[[...]]]".
inline std::string Nested(std::size_t n) { return std::string(n, '[') + std::string(n, ']'); }

}  // namespace mullet::testing

#endif  // MULLET_TESTS_CONFORMANCE_SCRIPTED_PEER_H_
