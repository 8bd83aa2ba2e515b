// The socket side of the tests' fake HTTP peers (fake_vtn.h, fake_ercot.h):
// one thread accepting on 127.0.0.1 and a free port, one request per
// connection (Connection: close), each answered by the subclass's Handle.
// A subclass calls Start() at the end of its constructor and Stop() first in
// its destructor, so Handle never runs on a half-built or half-destroyed
// object.

#ifndef MULLET_TESTS_DAEMON_FAKE_HTTP_SERVER_H_
#define MULLET_TESTS_DAEMON_FAKE_HTTP_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace mullet::testing_http {

class FakeHttpServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  FakeHttpServer() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {}
  virtual ~FakeHttpServer() = default;
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  std::string base() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

  static Response Json(int status, const nlohmann::json& body) {
    Response r{static_cast<boost::beast::http::status>(status), 11};
    r.set(boost::beast::http::field::content_type, "application/json");
    r.body() = body.dump();
    return r;
  }

 protected:
  virtual Response Handle(const Request& req) = 0;

  void Start() {
    thread_ = std::thread([this] { Serve(); });
  }
  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);  // wakes the blocking accept
    thread_.join();
  }

 private:
  void Serve() {
    while (!stop_) {
      boost::asio::ip::tcp::socket s(io_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stop_) continue;
      boost::beast::flat_buffer buffer;
      Request req;
      boost::beast::http::read(s, buffer, req, ec);
      if (ec) continue;
      Response res = Handle(req);
      res.version(req.version());
      res.keep_alive(false);
      res.prepare_payload();
      boost::beast::http::write(s, res, ec);
      s.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
};

}  // namespace mullet::testing_http

#endif  // MULLET_TESTS_DAEMON_FAKE_HTTP_SERVER_H_
