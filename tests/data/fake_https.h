// A fake HTTPS server on loopback for the tests of `mullet data`'s TLS
// peers: a self-signed certificate for "localhost" made at start-up (written
// as a PEM file the client is told to trust), one request per connection,
// and a handler that answers each request target with a status and a body,
// or hangs.

#ifndef MULLET_TESTS_DATA_FAKE_HTTPS_H_
#define MULLET_TESTS_DATA_FAKE_HTTPS_H_

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

namespace mullet::testing {

struct FakeReply {
  int status = 200;
  std::string body;
  bool hang = false;  // read the request, then say nothing until the client gives up
};

class FakeHttps {
 public:
  using Handler = std::function<FakeReply(const std::string& target)>;

  FakeHttps(const std::filesystem::path& dir, Handler handler) : handler_(std::move(handler)) {
    cert_file_ = dir / "fake_ca.pem";
    key_file_ = dir / "fake_key.pem";
    MakeCertificate();
    ctx_.use_certificate_chain_file(cert_file_.string());
    ctx_.use_private_key_file(key_file_.string(), boost::asio::ssl::context::pem);
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.set_option(boost::asio::ip::tcp::acceptor::reuse_address(true));
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeHttps() {
    stop_ = true;
    boost::beast::error_code ec;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  const std::filesystem::path& ca_file() const { return cert_file_; }
  int requests() const { return requests_; }
  std::string last_target() const { return last_target_; }

 private:
  void MakeCertificate() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    if (key == nullptr || cert == nullptr) throw std::runtime_error("cannot make a test key");
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost"},
                                     std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());
    FILE* c = std::fopen(cert_file_.c_str(), "w");
    FILE* k = std::fopen(key_file_.c_str(), "w");
    PEM_write_X509(c, cert);
    PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(c);
    std::fclose(k);
    X509_free(cert);
    EVP_PKEY_free(key);
  }

  void Serve() {
    namespace http = boost::beast::http;
    while (!stop_) {
      boost::asio::ip::tcp::socket s(io_);
      boost::beast::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stop_) return;
      boost::beast::ssl_stream<boost::asio::ip::tcp::socket> tls(std::move(s), ctx_);
      tls.handshake(boost::asio::ssl::stream_base::server, ec);
      if (ec) continue;  // a client that did not trust us
      boost::beast::flat_buffer buf;
      http::request<http::string_body> req;
      http::read(tls, buf, req, ec);
      if (ec) continue;
      ++requests_;
      last_target_ = std::string(req.target());
      FakeReply r = handler_(last_target_);
      if (r.hang) {
        // Hold the connection until the client closes it.
        char byte;
        tls.next_layer().read_some(boost::asio::buffer(&byte, 1), ec);
        continue;
      }
      http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
      res.body() = std::move(r.body);
      res.prepare_payload();
      http::write(tls, res, ec);
      tls.shutdown(ec);
    }
  }

  Handler handler_;
  std::filesystem::path cert_file_, key_file_;
  boost::asio::io_context io_;
  boost::asio::ssl::context ctx_{boost::asio::ssl::context::tls_server};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::string last_target_;
};

}  // namespace mullet::testing

#endif  // MULLET_TESTS_DATA_FAKE_HTTPS_H_
