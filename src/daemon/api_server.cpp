// ApiServer: HTTP/1.1 on Boost.Beast (api.h). One io_context thread; each
// connection reads one request at a time under a deadline, with the header
// and body bounded by Beast's parser before any byte reaches the handler.
// A GET of /api/v1/stream turns its connection into a stream of server-sent
// events (the HTML standard's text/event-stream) until the client goes.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <unordered_map>

#include "daemon/api.h"

namespace mullet {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A token bucket per client address: `rate` a second up to `burst`.
class RateLimit {
 public:
  RateLimit(double rate, double burst) : rate_(rate), burst_(burst) {}
  bool Allow(const asio::ip::address& who) {
    const auto now = std::chrono::steady_clock::now();
    Bucket& b = buckets_.try_emplace(who.to_string(), Bucket{burst_, now}).first->second;
    b.tokens = std::min(burst_, b.tokens + rate_ * std::chrono::duration<double>(now - b.last).count());
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    // Forget addresses that have been quiet long enough to refill: the map
    // stays as large as the set of recent clients.
    if (buckets_.size() > 10000) {
      std::erase_if(buckets_, [&](const auto& kv) {
        return std::chrono::duration<double>(now - kv.second.last).count() * rate_ >= burst_;
      });
    }
    return true;
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  double rate_, burst_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace

struct ApiServer::Impl : std::enable_shared_from_this<ApiServer::Impl> {
  Impl(asio::io_context& context, ApiHandler& h, ApiOptions o)
      : io(context), handler(h), options(std::move(o)), acceptor(context), limit(options.requests_per_s, options.burst) {}

  asio::io_context& io;
  ApiHandler& handler;
  ApiOptions options;
  tcp::acceptor acceptor;
  RateLimit limit;
  std::size_t open = 0;
  std::size_t streams = 0;  // of `open`, those streaming events
  bool stopped = false;

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<ApiServer::Impl> server)
      : stream_(std::move(socket)), timer_(server->io), server_(std::move(server)) {
    ++server_->open;
  }
  ~Session() {
    --server_->open;
    if (streaming_) --server_->streams;
  }

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_header_bytes));
    parser_->body_limit(server_->options.max_body_bytes);
    stream_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(server_->options.idle));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Send(Plain(413, "request body over " + std::to_string(server_->options.max_body_bytes) + " bytes"),
                  false);
    }
    if (ec == http::error::header_limit) return Send(Plain(431, "request headers too large"), false);
    if (ec) return Send(Plain(400, "malformed HTTP request"), false);
    const http::request<http::string_body>& req = parser_->get();
    beast::error_code peer_ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(peer_ec);
    if (!peer_ec && !server_->limit.Allow(peer.address())) {
      http::response<http::string_body> r = Plain(429, "too many requests; slow down");
      r.set(http::field::retry_after, "1");
      return Send(std::move(r), req.keep_alive());
    }
    ApiRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.authorization = std::string(req[http::field::authorization]);
    request.idempotency_key = std::string(req["Idempotency-Key"]);
    request.body = req.body();
    const ApiReply reply = server_->handler.Handle(request);
    if (reply.stream) return StartStream(reply);
    http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
    res.set(http::field::server, "mullet");
    res.set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) res.set(name, value);
    if (reply.status == 401) res.set(http::field::www_authenticate, "Bearer");
    res.body() = req.method() == http::verb::head ? std::string() : reply.body;
    res.prepare_payload();
    if (req.method() == http::verb::head) res.content_length(reply.body.size());
    Send(std::move(res), req.keep_alive() && !server_->stopped);
  }

  static http::response<http::string_body> Plain(int status, const std::string& message) {
    http::response<http::string_body> r{static_cast<http::status>(status), 11};
    r.set(http::field::server, "mullet");
    r.set(http::field::content_type, "application/json");
    r.body() = "{\"error\": \"" + message + "\"}\n";
    r.prepare_payload();
    return r;
  }

  void Send(http::response<http::string_body> res, bool keep_alive) {
    res.keep_alive(keep_alive);
    auto owned = std::make_shared<http::response<http::string_body>>(std::move(res));
    http::async_write(stream_, *owned, [self = shared_from_this(), owned, keep_alive](beast::error_code ec, std::size_t) {
      if (ec || !keep_alive) return self->Close();
      self->Read();
    });
  }

  // The stream: a header without a length (the body ends when the
  // connection does), the first event, then an event each time the loop
  // publishes, checked every stream_check, and a comment line after
  // stream_keepalive of quiet. Bounded by max_streams. The client sends
  // nothing more: anything it sends, or its close, ends the stream.
  void StartStream(const ApiReply& reply) {
    if (server_->streams >= server_->options.max_streams) {
      return Send(Plain(503, "too many open streams (" + std::to_string(server_->options.max_streams) +
                                 "); poll /api/v1/site instead"),
                  false);
    }
    ++server_->streams;
    streaming_ = true;
    sent_version_ = server_->handler.LiveVersion();
    std::string head = "HTTP/1.1 200 OK\r\nServer: mullet\r\nContent-Type: " + reply.content_type + "\r\n";
    for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
    head += "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code) { self->Close(); });
    Write(head + reply.body);
  }

  void Write(std::string text) {
    auto owned = std::make_shared<std::string>(std::move(text));
    last_write_ = std::chrono::steady_clock::now();
    stream_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(server_->options.idle));
    asio::async_write(stream_, asio::buffer(*owned), [self = shared_from_this(), owned](beast::error_code ec, std::size_t) {
      if (ec) return self->Close();
      self->WaitForPublish();
    });
  }

  void WaitForPublish() {
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(server_->options.stream_check));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->server_->stopped || !self->stream_.socket().is_open()) return self->Close();
      const std::uint64_t version = self->server_->handler.LiveVersion();
      if (version != self->sent_version_) {
        self->sent_version_ = version;
        return self->Write(self->server_->handler.StreamEvent());
      }
      if (std::chrono::steady_clock::now() - self->last_write_ >= self->server_->options.stream_keepalive) {
        return self->Write(":\n\n");
      }
      self->WaitForPublish();
    });
  }

  void Close() {
    timer_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  bool streaming_ = false;
  std::uint64_t sent_version_ = 0;
  std::chrono::steady_clock::time_point last_write_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<ApiServer::Impl> server_;
};

}  // namespace

void ApiServer::Impl::Accept() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped || !self->acceptor.is_open()) return;
    if (!ec) {
      if (self->open < self->options.max_connections) {
        std::make_shared<Session>(std::move(socket), self)->Read();
      }  // else `socket` closes here: past the cap, a client waits and retries
    }
    self->Accept();
  });
}

ApiServer::ApiServer(asio::io_context& io, ApiHandler& handler, ApiOptions options)
    : impl_(std::make_shared<Impl>(io, handler, std::move(options))) {}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Start() {
  beast::error_code ec;
  const tcp::endpoint& at = impl_->options.listen;
  impl_->acceptor.open(at.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(at, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + at.address().to_string() + ":" + std::to_string(at.port()) + ": " +
                           ec.message());
  }
  impl_->Accept();
  return Status::Ok();
}

tcp::endpoint ApiServer::endpoint() const {
  beast::error_code ignored;
  return impl_->acceptor.local_endpoint(ignored);
}

void ApiServer::Stop() {
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

}  // namespace mullet
