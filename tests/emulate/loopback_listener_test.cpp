// The listener the emulated servers share (src/emulate/loopback_listener.h):
// tags, binding errors, the connection count and its limit, stop, and the
// back-off when accept runs out of descriptors. Real sockets on 127.0.0.1.

#include "emulate/loopback_listener.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mullet {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Runs `io` until `done` holds, for 10 s at most (a bound, not a measure).
bool RunUntil(asio::io_context& io, const std::function<bool()>& done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  return done();
}

tcp::endpoint AnyLoopbackPort() { return {asio::ip::make_address("127.0.0.1"), 0}; }

struct Accepted {
  std::size_t tag;
  AcceptedSocket peer;
};

class LoopbackListenerTest : public ::testing::Test {
 protected:
  LoopbackListener::OnAccept Keep() {
    return [this](std::size_t tag, AcceptedSocket peer) {
      accepted_.push_back({tag, std::move(peer)});
    };
  }
  // A client connected to `at` (the kernel completes it from the backlog).
  tcp::socket Connect(const tcp::endpoint& at) {
    tcp::socket c(io_);
    c.connect(at);
    return c;
  }

  asio::io_context io_;
  std::vector<Accepted> accepted_;
};

TEST_F(LoopbackListenerTest, HandsEachConnectionToTheCallbackWithItsAddressTag) {
  LoopbackListener l(io_, Keep());
  ASSERT_TRUE(l.Listen(7, AnyLoopbackPort()).ok());
  ASSERT_TRUE(l.Listen(9, AnyLoopbackPort()).ok());
  ASSERT_EQ(l.listeners(), 2u);
  EXPECT_NE(l.endpoint(0).port(), 0);
  EXPECT_NE(l.endpoint(0).port(), l.endpoint(1).port());
  tcp::socket to_nine = Connect(l.endpoint(1));
  ASSERT_TRUE(RunUntil(io_, [&] { return accepted_.size() == 1; }));
  EXPECT_EQ(accepted_[0].tag, 9u);
  EXPECT_EQ(accepted_[0].peer.socket().remote_endpoint(), to_nine.local_endpoint());
  tcp::socket to_seven = Connect(l.endpoint(0));
  ASSERT_TRUE(RunUntil(io_, [&] { return accepted_.size() == 2; }));
  EXPECT_EQ(accepted_[1].tag, 7u);
}

TEST_F(LoopbackListenerTest, ABusyAddressIsNamedWithTheReason) {
  LoopbackListener first(io_, Keep());
  ASSERT_TRUE(first.Listen(0, AnyLoopbackPort()).ok());
  const tcp::endpoint taken = first.endpoint(0);
  LoopbackListener second(io_, Keep());
  const Status s = second.Listen(0, taken);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(
      s.message().rfind("cannot listen on 127.0.0.1:" + std::to_string(taken.port()) + ": ", 0), 0u)
      << s.message();
  EXPECT_EQ(second.listeners(), 0u);
}

TEST_F(LoopbackListenerTest, CountsOpenConnectionsAndClosesThoseOverTheLimit) {
  LoopbackListener l(io_, Keep(), /*max_connections=*/1);
  ASSERT_TRUE(l.Listen(0, AnyLoopbackPort()).ok());
  tcp::socket a = Connect(l.endpoint(0));
  ASSERT_TRUE(RunUntil(io_, [&] { return l.open_connections() == 1; }));
  // Over the limit: accepted and closed at once, never handed over.
  tcp::socket b = Connect(l.endpoint(0));
  std::array<char, 1> byte{};
  boost::system::error_code ec;
  bool read_done = false;
  b.async_read_some(asio::buffer(byte), [&](const boost::system::error_code& e, std::size_t) {
    ec = e;
    read_done = true;
  });
  ASSERT_TRUE(RunUntil(io_, [&] { return read_done; }));
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_EQ(accepted_.size(), 1u);
  EXPECT_EQ(l.open_connections(), 1u);
  // The first connection ends: that frees room for the next client.
  accepted_.clear();
  EXPECT_EQ(l.open_connections(), 0u);
  tcp::socket c = Connect(l.endpoint(0));
  ASSERT_TRUE(RunUntil(io_, [&] { return accepted_.size() == 1; }));
  EXPECT_EQ(l.open_connections(), 1u);
}

// One address's cap: the connection past it is served and that address's
// oldest is shut down; another address is not touched.
TEST_F(LoopbackListenerTest, AnAddressPastItsCapShutsDownItsOldest) {
  LoopbackListener l(io_, Keep(), LoopbackListener::kNoLimit, /*max_per_address=*/3);
  ASSERT_TRUE(l.Listen(0, AnyLoopbackPort()).ok());
  ASSERT_TRUE(l.Listen(1, AnyLoopbackPort()).ok());
  tcp::socket other = Connect(l.endpoint(1));
  ASSERT_TRUE(RunUntil(io_, [&] { return accepted_.size() == 1; }));
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(Connect(l.endpoint(0)));
    ASSERT_TRUE(RunUntil(io_, [&] { return accepted_.size() == 2u + i; }));
  }
  EXPECT_EQ(l.open_connections(), 4u);
  tcp::socket fresh = Connect(l.endpoint(0));
  ASSERT_TRUE(RunUntil(io_, [&] { return accepted_.size() == 5; }));
  EXPECT_EQ(accepted_.back().tag, 0u);
  // The oldest on address 0 (accepted second) sees the end of the stream.
  std::array<char, 1> byte{};
  boost::system::error_code ec;
  bool read_done = false;
  accepted_[1].peer.socket().async_read_some(asio::buffer(byte), [&](const boost::system::error_code& e, std::size_t) {
    ec = e;
    read_done = true;
  });
  ASSERT_TRUE(RunUntil(io_, [&] { return read_done; }));
  EXPECT_EQ(ec, asio::error::eof);
  // Its client sees it closed too; the newer ones and the other address stay.
  boost::system::error_code client_ec;
  idle[0].read_some(asio::buffer(byte), client_ec);
  EXPECT_EQ(client_ec, asio::error::eof);
  for (std::size_t i : {2u, 3u, 4u, 0u}) EXPECT_TRUE(accepted_[i].peer.socket().is_open()) << i;
  // It counts until its server closes it: then the address is at its cap.
  EXPECT_EQ(l.open_connections(), 5u);
  accepted_[1].peer.Close();
  EXPECT_TRUE(accepted_[1].peer.socket().is_open() == false);
}

TEST_F(LoopbackListenerTest, StopRefusesNewClientsAndLeavesOpenOnesAlone) {
  LoopbackListener l(io_, Keep());
  ASSERT_TRUE(l.Listen(0, AnyLoopbackPort()).ok());
  const tcp::endpoint at = l.endpoint(0);
  tcp::socket a = Connect(at);
  ASSERT_TRUE(RunUntil(io_, [&] { return accepted_.size() == 1; }));
  l.Stop();
  io_.restart();
  io_.poll();
  tcp::socket b(io_);
  boost::system::error_code ec;
  b.connect(at, ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
  EXPECT_EQ(accepted_.size(), 1u);
  EXPECT_TRUE(accepted_[0].peer.socket().is_open());
  EXPECT_EQ(l.open_connections(), 1u);
}

TEST_F(LoopbackListenerTest, DestroyedWithAnAcceptPendingCallsNothing) {
  bool called = false;
  {
    LoopbackListener l(io_, [&](std::size_t, AcceptedSocket) { called = true; });
    ASSERT_TRUE(l.Listen(0, AnyLoopbackPort()).ok());
  }
  io_.run();  // the aborted accept completes here, after the listener is gone
  EXPECT_FALSE(called);
}

// The lowest descriptor number the process would get next.
int LowestFreeDescriptor() {
  const int fd = ::open("/dev/null", O_RDONLY);
  ::close(fd);
  return fd;
}

TEST_F(LoopbackListenerTest, OutOfDescriptorsBacksOffAndAcceptsOnceTheyAreBack) {
  LoopbackListener l(io_, Keep());
  ASSERT_TRUE(l.Listen(0, AnyLoopbackPort()).ok());
  tcp::socket client(io_);
  client.open(tcp::v4());  // its descriptor before the limit drops
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(LowestFreeDescriptor());  // no new descriptor fits
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  client.connect(l.endpoint(0));
  // accept() fails with EMFILE; the listener backs off and tries again, and
  // does not give up. Long enough for several tries at 100 ms each.
  io_.run_for(std::chrono::milliseconds(350));
  const bool accepted_while_out = !accepted_.empty();
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_FALSE(accepted_while_out);
  ASSERT_TRUE(RunUntil(io_, [&] { return accepted_.size() == 1; }));
  EXPECT_EQ(accepted_[0].peer.socket().remote_endpoint(), client.local_endpoint());
}

}  // namespace
}  // namespace mullet
