#include "cli/emulate_shards.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/address_v4.hpp>
#include <cerrno>
#include <cstdlib>

namespace mullet {
namespace {

volatile sig_atomic_t g_stop = 0;
void OnStop(int) { g_stop = 1; }

// Reads one line from `fd`; "" when the child closed it first (it failed).
std::string ReadLine(int fd) {
  std::string line;
  char c = 0;
  while (true) {
    const ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') break;
    line.push_back(c);
  }
  return line;
}

void SignalAll(const std::vector<pid_t>& pids, int sig) {
  for (pid_t p : pids) {
    if (p > 0) kill(p, sig);
  }
}

}  // namespace

Result<std::string> NthAddress(const std::string& address, std::size_t k) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address_v4(address, ec);
  if (ec) return Status::InvalidArgument("'" + address + "' is not an IPv4 address");
  const std::uint64_t n = std::uint64_t{a.to_uint()} + k;
  if (n > 0x7fffffffULL || (a.to_uint() >> 24) != (n >> 24)) {
    return Status::InvalidArgument(std::to_string(k) + " addresses after " + address + " leave its /8 block");
  }
  return boost::asio::ip::address_v4(static_cast<std::uint32_t>(n)).to_string();
}

Result<std::vector<ShardPlan>> PlanShards(std::size_t miners, const std::string& first_address,
                                          std::size_t per_shard) {
  if (per_shard == 0) return Status::InvalidArgument("a shard must hold at least one miner");
  if (Result<std::string> last = NthAddress(first_address, miners == 0 ? 0 : miners - 1); !last.ok()) {
    return last.status();
  }
  std::vector<ShardPlan> out;
  for (std::size_t first = 0; first < miners; first += per_shard) {
    ShardPlan s;
    s.first_index = first;
    s.miners = std::min(per_shard, miners - first);
    s.first_address = *NthAddress(first_address, first);
    out.push_back(std::move(s));
  }
  return out;
}

int RunShards(const std::vector<ShardPlan>& shards, const std::function<int(const ShardPlan&, int)>& child,
              const std::function<void(const std::vector<std::string>&)>& merged) {
  std::vector<pid_t> pids;
  std::vector<int> fds;
  for (const ShardPlan& s : shards) {
    int p[2];
    if (pipe(p) != 0) {
      SignalAll(pids, SIGTERM);
      return 1;
    }
    const pid_t pid = fork();
    if (pid == 0) {
      close(p[0]);
      for (int fd : fds) close(fd);
      std::_Exit(child(s, p[1]));
    }
    close(p[1]);
    if (pid < 0) {
      close(p[0]);
      SignalAll(pids, SIGTERM);
      return 1;
    }
    pids.push_back(pid);
    fds.push_back(p[0]);
  }
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  std::vector<std::string> lines;
  bool all_listening = true;
  for (int fd : fds) {
    lines.push_back(ReadLine(fd));
    all_listening = all_listening && !lines.back().empty();
  }
  if (all_listening) merged(lines);
  for (int fd : fds) close(fd);
  if (!all_listening) SignalAll(pids, SIGTERM);

  int code = all_listening ? 0 : 1;
  std::size_t running = pids.size();
  bool forwarded = !all_listening;
  while (running > 0) {
    if (g_stop && !forwarded) {
      SignalAll(pids, SIGTERM);
      forwarded = true;
    }
    int status = 0;
    const pid_t done = waitpid(-1, &status, 0);
    if (done < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (pid_t& p : pids) {
      if (p != done) continue;
      p = -1;
      --running;
      // A shard this process stopped (after another ended on its own, or on
      // Ctrl-C) may die of that SIGTERM before its handler is in place: that
      // is the stop asked for, not a failure (it made `--duration-s` runs
      // exit 143 now and then).
      const bool stopped_by_us = forwarded && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
      const int c = stopped_by_us ? 0 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (c != 0 && code == 0 && !g_stop) code = c;
      if (!forwarded) {  // one shard ended on its own (--duration-s, or a failure): stop the rest
        SignalAll(pids, SIGTERM);
        forwarded = true;
      }
    }
  }
  return code;
}

}  // namespace mullet
