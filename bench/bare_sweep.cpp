// The physical limit of a sweep on this machine: a bare client that connects
// to each miner of an address range, sends one request, reads until the peer
// closes and throws the bytes away, with nothing else (no parsing, no
// deadline per request, no bookkeeping). `mullet fleet status` is measured
// against it over the same emulated fleet (README, Performance).
//
//   mullet_bare_sweep FIRST_ADDRESS COUNT [PORT] [IN_FLIGHT] [COMMAND]
//
// Prints one line: replies, failures, bytes and seconds.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Conn {
  int fd = -1;
  bool sent = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s FIRST_ADDRESS COUNT [PORT] [IN_FLIGHT] [COMMAND]\n", argv[0]);
    return 2;
  }
  in_addr first{};
  if (inet_pton(AF_INET, argv[1], &first) != 1) {
    std::fprintf(stderr, "'%s' is not an IPv4 address\n", argv[1]);
    return 2;
  }
  const long count = std::strtol(argv[2], nullptr, 10);
  const int port = argc > 3 ? std::atoi(argv[3]) : 4028;
  const long in_flight = argc > 4 ? std::strtol(argv[4], nullptr, 10) : 2048;
  const std::string request = std::string("{\"command\":\"") + (argc > 5 ? argv[5] : "summary") + "\"}";

  const int ep = epoll_create1(0);
  std::vector<Conn> conns(static_cast<std::size_t>(in_flight));
  long next = 0, done = 0, failed = 0, open = 0;
  unsigned long long bytes = 0;
  char buf[16384];

  auto start_one = [&](std::size_t slot) {
    while (next < count) {
      const long i = next++;
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(static_cast<uint16_t>(port));
      to.sin_addr.s_addr = htonl(ntohl(first.s_addr) + static_cast<uint32_t>(i));
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0 || (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS)) {
        if (fd >= 0) close(fd);
        ++failed;
        ++done;
        continue;
      }
      conns[slot] = Conn{fd, false};
      epoll_event ev{};
      ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = slot;
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
      ++open;
      return;
    }
  };
  auto finish = [&](std::size_t slot, bool ok) {
    close(conns[slot].fd);
    conns[slot].fd = -1;
    --open;
    ++done;
    if (!ok) ++failed;
    start_one(slot);
  };

  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t s = 0; s < conns.size(); ++s) start_one(s);
  std::vector<epoll_event> events(1024);
  while (open > 0) {
    const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 5000);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // nothing moved for 5 s: the rest are hung
    for (int k = 0; k < n; ++k) {
      const std::size_t slot = events[k].data.u64;
      Conn& c = conns[slot];
      if (c.fd < 0) continue;
      if (events[k].events & EPOLLERR) {
        finish(slot, false);
        continue;
      }
      if (!c.sent && (events[k].events & EPOLLOUT)) {
        if (write(c.fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
          finish(slot, false);
          continue;
        }
        c.sent = true;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = slot;
        epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &ev);
      }
      if (c.sent && (events[k].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) {
        while (true) {
          const ssize_t r = read(c.fd, buf, sizeof buf);
          if (r > 0) {
            bytes += static_cast<unsigned long long>(r);
            continue;
          }
          if (r == 0) finish(slot, true);
          else if (errno != EAGAIN) finish(slot, false);
          break;
        }
      }
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("replies %ld failed %ld unanswered %ld bytes %llu seconds %.3f\n", done - failed, failed,
              count - done, bytes, seconds);
  return failed == 0 && done == count ? 0 : 1;
}
