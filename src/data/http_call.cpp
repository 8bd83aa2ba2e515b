#include "data/http_call.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <openssl/ssl.h>

#include <functional>
#include <optional>

namespace mullet {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The steps after the connection, on either stream.
template <typename Stream>
void Exchange(Stream& stream, beast::tcp_stream& lowest, const HttpPeer& peer,
              http::request<http::string_body>& req, beast::flat_buffer& buffer,
              http::response_parser<http::string_body>& parser, std::string& failed_step,
              beast::error_code& failure, bool& done) {
  lowest.expires_after(peer.timeout);
  http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
    if (ec) {
      failed_step = "cannot send";
      failure = ec;
      return;
    }
    lowest.expires_after(peer.timeout);
    // The header first: Boost.Beast 1.74 loses the body limit's error when a
    // response's header and the start of its body arrive in one read, and
    // then reads the whole Content-Length, so the length is checked here.
    http::async_read_header(stream, buffer, parser, [&](beast::error_code ec2, std::size_t) {
      if (!ec2 && parser.content_length() && *parser.content_length() > peer.max_reply_bytes) {
        ec2 = http::error::body_limit;
      }
      if (ec2) {
        failed_step = "no reply";
        failure = ec2;
        return;
      }
      http::async_read(stream, buffer, parser, [&](beast::error_code ec3, std::size_t) {
        if (ec3) {
          failed_step = "no reply";
          failure = ec3;
          return;
        }
        done = true;
      });
    });
  });
}

}  // namespace

std::string PeerText(std::string_view text, std::size_t n) {
  std::string out;
  for (char c : text.substr(0, n)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (text.size() > n) out += "...";
  return out;
}

Result<HttpReply> CallHttp(const HttpPeer& peer, const HttpCall& call) {
  try {
    asio::io_context io;
    std::optional<ssl::context> ctx;
    if (peer.tls) {
      ctx.emplace(ssl::context::tls_client);
      ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      ctx->set_verify_mode(ssl::verify_peer);
      beast::error_code ec;
      if (peer.ca_file.empty()) {
        ctx->set_default_verify_paths(ec);
      } else {
        ctx->load_verify_file(peer.ca_file.string(), ec);
      }
      if (ec) return Status::IoError("cannot load the CA certificates" +
                                     (peer.ca_file.empty() ? std::string() : " of " + peer.ca_file.string()) + ": " +
                                     ec.message());
    }
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    if (peer.tls) {
      secure.emplace(io, *ctx);
      if (!SSL_set_tlsext_host_name(secure->native_handle(), peer.host.c_str())) {
        return Status::IoError("cannot set the TLS server name " + PeerText(peer.host));
      }
      secure->set_verify_callback(ssl::host_name_verification(peer.host));
    } else {
      plain.emplace(io);
    }
    beast::tcp_stream& lowest = peer.tls ? beast::get_lowest_layer(*secure) : *plain;

    http::request<http::string_body> req{call.method == "POST" ? http::verb::post : http::verb::get, call.target, 11};
    req.set(http::field::host, peer.host);
    req.set(http::field::user_agent, "mullet");
    req.set(http::field::accept, "application/json");
    if (!call.content_type.empty()) req.set(http::field::content_type, call.content_type);
    if (!call.authorization.empty()) req.set(http::field::authorization, call.authorization);
    for (const auto& [name, value] : call.extra_headers) req.set(name, value);
    req.body() = call.body;
    req.prepare_payload();
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(peer.max_reply_bytes);

    std::string failed_step;
    beast::error_code failure;
    bool done = false;
    tcp::resolver resolver(io);
    resolver.async_resolve(peer.host, peer.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
      if (ec) {
        failed_step = "cannot resolve";
        failure = ec;
        return;
      }
      lowest.expires_after(peer.timeout);
      lowest.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
        if (ec2) {
          failed_step = "cannot connect";
          failure = ec2;
          return;
        }
        if (!peer.tls) {
          Exchange(*plain, lowest, peer, req, buffer, parser, failed_step, failure, done);
          return;
        }
        lowest.expires_after(peer.timeout);
        secure->async_handshake(ssl::stream_base::client, [&](beast::error_code ec3) {
          if (ec3) {
            failed_step = "TLS handshake failed (is the certificate trusted and for this host?)";
            failure = ec3;
            return;
          }
          Exchange(*secure, lowest, peer, req, buffer, parser, failed_step, failure, done);
        });
      });
    });
    // Every step but the resolver has its own deadline; the whole call has
    // one more, so a resolver that never answers cannot hold it either.
    io.run_for(peer.timeout * 5);
    if (!done) {
      if (failed_step.empty()) return Status::IoError("no answer in time");
      if (failure == beast::error::timeout) return Status::IoError(failed_step + ": no answer in time");
      if (failure == http::error::body_limit) {
        return Status::IoError(failed_step + ": the reply is over " + std::to_string(peer.max_reply_bytes) + " bytes");
      }
      return Status::IoError(failed_step + ": " + failure.message());
    }
    if (secure) {
      lowest.expires_after(std::chrono::milliseconds(200));
      beast::error_code ignored;
      lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    HttpReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = std::move(parser.get().body());
    return reply;
  } catch (const std::exception& e) {
    return Status::IoError(e.what());
  }
}

}  // namespace mullet
