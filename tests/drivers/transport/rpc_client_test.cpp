// The client against the emulator's server on loopback, with real sockets:
// replies, hung and resetting miners, nothing listening, and a large fleet.

#include "drivers/transport/rpc_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "emulate/rpc_server.h"

namespace mullet {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A server on its own thread, answering by a plan per miner.
class Fleet {
 public:
  explicit Fleet(std::function<ReplyPlan(std::size_t, std::string_view)> handler)
      : guard_(asio::make_work_guard(io_)), server_(io_, std::move(handler)) {}
  ~Fleet() {
    asio::post(io_, [this] { guard_.reset(); io_.stop(); });
    if (thread_.joinable()) thread_.join();
  }
  // `n` miners on 127.0.0.1, free ports.
  std::vector<tcp::endpoint> Listen(std::size_t n) {
    std::vector<tcp::endpoint> eps;
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_TRUE(server_.Listen(i, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)).ok());
      eps.push_back(server_.endpoint(i));
    }
    thread_ = std::thread([this] { io_.run(); });
    return eps;
  }
  RpcServer& server() { return server_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  RpcServer server_;
  std::thread thread_;
};

ReplyPlan Send(std::string bytes) { return {ReplyPlan::Kind::kSend, std::move(bytes), Seconds(0)}; }

TEST(RpcClientTest, EachMinerAnswersItsOwnRequest) {
  Fleet fleet([](std::size_t miner, std::string_view request) {
    return Send("{\"miner\":" + std::to_string(miner) + ",\"echo\":\"" + std::string(request) + "\"}" +
                std::string(1, '\0'));
  });
  const auto eps = fleet.Listen(20);
  const std::vector<RpcReply> replies = RequestAll(eps, "summary", RpcOptions{});
  ASSERT_EQ(replies.size(), 20u);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    EXPECT_EQ(replies[i].outcome, RpcOutcome::kReply) << replies[i].error;
    EXPECT_EQ(replies[i].bytes, "{\"miner\":" + std::to_string(i) + ",\"echo\":\"summary\"}" + std::string(1, '\0'));
  }
}

// A 4-byte little-endian length, then the payload (Whatsminer API V3).
std::string Frame(std::string_view payload, std::uint32_t declared) {
  std::string f(4, '\0');
  for (int i = 0; i < 4; ++i) f[i] = static_cast<char>(declared >> (8 * i) & 0xff);
  return f + std::string(payload);
}

TEST(RpcClientTest, LengthPrefixedFramesWholeShortAndOversized) {
  Fleet fleet([](std::size_t miner, std::string_view) {
    if (miner == 0) return Send(Frame("{\"code\":0}", 10) + "trailing bytes are not read");
    if (miner == 1) return Send(Frame("{\"co", 10));  // closes inside the frame
    return Send(Frame("{}", 1u << 30));                 // declares a gigabyte
  });
  const auto eps = fleet.Listen(3);
  RpcOptions o;
  o.framing = RpcFraming::kLengthPrefixedLe32;
  o.max_reply_bytes = 1 << 20;
  const std::vector<RpcReply> r = RequestAll(eps, Frame("{}", 2), o);
  EXPECT_EQ(r[0].outcome, RpcOutcome::kReply) << r[0].error;
  EXPECT_EQ(r[0].bytes, "{\"code\":0}");
  EXPECT_EQ(r[1].outcome, RpcOutcome::kClosedEarly) << r[1].error;
  EXPECT_EQ(RpcOutcomeName(r[1].outcome), "closed");
  EXPECT_EQ(r[2].outcome, RpcOutcome::kTooLarge) << r[2].error;
  EXPECT_NE(r[2].error.find("1073741824"), std::string::npos) << r[2].error;
}

TEST(RpcClientTest, HungAndResettingMinersAreReportedAndTheOthersStillAnswer) {
  Fleet fleet([](std::size_t miner, std::string_view) {
    if (miner == 3) return ReplyPlan{ReplyPlan::Kind::kHang, "", Seconds(0)};
    if (miner == 5) return ReplyPlan{ReplyPlan::Kind::kReset, "", Seconds(0)};
    if (miner == 7) return ReplyPlan{ReplyPlan::Kind::kSend, "late", Seconds(5)};
    return Send("ok");
  });
  const auto eps = fleet.Listen(10);
  RpcOptions o;
  o.deadline = Seconds(0.5);
  const std::vector<RpcReply> replies = RequestAll(eps, "summary", o);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (i == 3 || i == 7) {
      EXPECT_EQ(replies[i].outcome, RpcOutcome::kTimeout) << i;
    } else if (i == 5) {
      EXPECT_EQ(replies[i].outcome, RpcOutcome::kReset) << RpcOutcomeName(replies[i].outcome);
      EXPECT_TRUE(replies[i].bytes.empty());
    } else {
      EXPECT_EQ(replies[i].outcome, RpcOutcome::kReply) << i << " " << replies[i].error;
      EXPECT_EQ(replies[i].bytes, "ok");
    }
  }
}

TEST(RpcClientTest, NothingListeningIsRefused) {
  tcp::endpoint closed;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed = a.local_endpoint();
  }  // closed again: nothing listens on that port now
  const std::vector<RpcReply> replies = RequestAll({closed}, "summary", RpcOptions{});
  EXPECT_EQ(replies[0].outcome, RpcOutcome::kRefused);
}

TEST(RpcClientTest, BoundedConcurrencyStillServesAFleet) {
  Fleet fleet([](std::size_t miner, std::string_view) { return Send(std::to_string(miner)); });
  const auto eps = fleet.Listen(300);
  RpcOptions o;
  o.max_in_flight = 16;
  const std::vector<RpcReply> replies = RequestAll(eps, "summary", o);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    ASSERT_EQ(replies[i].outcome, RpcOutcome::kReply) << i;
    ASSERT_EQ(replies[i].bytes, std::to_string(i));
  }
}

TEST(RpcClientTest, OversizedRepliesAreCutOff) {
  Fleet fleet([](std::size_t, std::string_view) { return Send(std::string(100000, 'x')); });
  const auto eps = fleet.Listen(1);
  RpcOptions o;
  o.max_reply_bytes = 1000;
  const std::vector<RpcReply> replies = RequestAll(eps, "summary", o);
  EXPECT_EQ(replies[0].outcome, RpcOutcome::kTooLarge);
}

}  // namespace
}  // namespace mullet
