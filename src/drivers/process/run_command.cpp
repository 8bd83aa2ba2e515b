#include "drivers/process/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

extern char** environ;

namespace mullet {
namespace {

using Clock = std::chrono::steady_clock;

// A pipe read end that closes itself; -1 once the writer has gone.
class ReadEnd {
 public:
  explicit ReadEnd(int fd) : fd_(fd) {}
  ReadEnd(const ReadEnd&) = delete;
  ReadEnd& operator=(const ReadEnd&) = delete;
  ~ReadEnd() { Close(); }
  int fd() const { return fd_; }
  bool open() const { return fd_ >= 0; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Reads what is there into `*sink` (up to `cap` bytes kept); closes `end` at
// EOF or on an error other than EINTR.
void Drain(ReadEnd& end, std::string* sink, std::size_t cap, bool* truncated) {
  std::array<char, 65536> buf;
  const ssize_t n = ::read(end.fd(), buf.data(), buf.size());
  if (n < 0 && errno == EINTR) return;
  if (n <= 0) {
    end.Close();
    return;
  }
  const std::size_t room = cap > sink->size() ? cap - sink->size() : 0;
  const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
  sink->append(buf.data(), keep);
  if (keep < static_cast<std::size_t>(n)) *truncated = true;
}

// Waits up to `timeout_ms` for output and reads whatever is ready; false
// when nothing was ready.
bool PollOnce(ReadEnd& out, ReadEnd& err, int timeout_ms, std::size_t cap, CommandResult* r) {
  std::array<pollfd, 2> fds{pollfd{out.fd(), POLLIN, 0}, pollfd{err.fd(), POLLIN, 0}};
  // poll ignores negative fds, so a closed stream simply stops being watched.
  const int n = ::poll(fds.data(), fds.size(), timeout_ms);
  if (n <= 0) return false;  // timeout, or EINTR: the caller's loop checks the clock again
  if (fds[0].revents != 0) Drain(out, &r->out, cap, &r->truncated);
  if (fds[1].revents != 0) Drain(err, &r->err, cap, &r->truncated);
  return true;
}

Status SpawnError(const std::vector<std::string>& argv, int error) {
  const std::string what = "cannot run `" + argv[0] + "`: " + std::strerror(error);
  if (error == ENOENT)
    return Status::NotFound(what + " (not found" +
                            (argv[0].find('/') == std::string::npos ? " on PATH)" : ")"));
  if (error == EACCES || error == ENOEXEC) return Status::NotFound(what);
  return Status::IoError(what);
}

std::string LastLines(const std::string& text) {
  constexpr std::size_t kMaxChars = 400;  // enough for nvidia-smi's two-line errors
  std::string s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t first = s.find_first_not_of(" \t\r\n");
  s = first == std::string::npos ? "" : s.substr(first);
  if (s.size() > kMaxChars) s = "..." + s.substr(s.size() - kMaxChars);
  std::string joined;
  for (char c : s) {
    if (c == '\r') continue;
    joined += c == '\n' ? std::string("; ") : std::string(1, c);
  }
  return joined;
}

}  // namespace

std::string DescribeCommand(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) {
    if (!s.empty()) s += ' ';
    s += a.find_first_of(" \t'\"") == std::string::npos ? a : "'" + a + "'";
  }
  return s;
}

std::string DescribeFailure(const std::vector<std::string>& argv, const CommandResult& r,
                            const CommandOptions& options) {
  const std::string cmd = "`" + DescribeCommand(argv) + "`";
  std::string what;
  if (r.timed_out) {
    char secs[32];
    std::snprintf(secs, sizeof secs, "%g", options.deadline.count());
    what = cmd + " did not finish within its " + secs + " s deadline and was killed";
  } else if (r.term_signal != 0) {
    what = cmd + " was killed by signal " + std::to_string(r.term_signal);
  } else if (r.exit_code != 0) {
    what = cmd + " exited " + std::to_string(r.exit_code);
  } else {
    return "";
  }
  const std::string said = LastLines(r.err.empty() ? r.out : r.err);
  return said.empty() ? what : what + ": " + said;
}

namespace {

// Starts argv with stdout and stderr on the given pipe write ends, stdin on
// /dev/null, in a process group of its own. Returns the pid, or the errno.
int Spawn(const std::vector<std::string>& argv, int out_w, int err_w, pid_t* pid) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // dup2 clears close-on-exec on the target, so only these two reach the child.
  posix_spawn_file_actions_adddup2(&actions, out_w, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_w, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that the deadline can kill the child's children too.
  posix_spawnattr_setpgroup(&attr, 0);
  // A caller that ignores SIGPIPE (servers do) must not pass that on.
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // glibc's posix_spawnp reports a failed exec (ENOENT, EACCES) as its return value.
  const int spawned = ::posix_spawnp(pid, argv[0].c_str(), &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return spawned;
}

// Reads both streams until the child exits or the deadline passes (then
// kills its process group); reaps it and returns its wait status.
int Collect(pid_t pid, ReadEnd& out, ReadEnd& err, Clock::time_point deadline,
            const CommandOptions& options, CommandResult* r) {
  int status = 0;
  bool reaped = false;
  // Slices of at most 50 ms: between them the child is checked for exit, so a
  // child that leaves a background process holding the pipes still returns.
  constexpr auto kSlice = std::chrono::milliseconds(50);
  while (true) {
    const Clock::time_point now = Clock::now();
    if (now >= deadline) {
      ::kill(-pid, SIGKILL);
      r->timed_out = true;
      break;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    if (out.open() || err.open()) {
      PollOnce(out, err,
               static_cast<int>(std::min(left, std::chrono::milliseconds(kSlice)).count()),
               options.max_output_bytes, r);
    } else {
      ::usleep(
          static_cast<useconds_t>(std::min(left, std::chrono::milliseconds(5)).count() * 1000));
    }
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      reaped = true;
      // What the child wrote before exiting is still in the pipes: take it.
      // Stops when nothing more is ready (a background child may hold the
      // pipes open forever) or at the deadline.
      while ((out.open() || err.open()) && Clock::now() < deadline) {
        if (!PollOnce(out, err, 0, options.max_output_bytes, r)) break;
      }
      break;
    }
  }
  if (!reaped) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  return status;
}

}  // namespace

Result<CommandResult> RunCommand(const std::vector<std::string>& argv,
                                 const CommandOptions& options) {
  if (argv.empty() || argv[0].empty()) {
    return Status::InvalidArgument("RunCommand: no program given");
  }
  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) {
    return Status::IoError(std::string("pipe: ") + std::strerror(errno));
  }
  if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    const int e = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Status::IoError(std::string("pipe: ") + std::strerror(e));
  }
  ReadEnd out(out_pipe[0]);
  ReadEnd err(err_pipe[0]);
  const Clock::time_point start = Clock::now();
  pid_t pid = -1;
  const int spawned = Spawn(argv, out_pipe[1], err_pipe[1], &pid);
  // Only the child holds the write ends now: EOF comes when it (and its children) close them.
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) return SpawnError(argv, spawned);

  CommandResult r;
  const int status =
      Collect(pid, out, err, start + std::chrono::duration_cast<Clock::duration>(options.deadline),
              options, &r);
  r.elapsed = std::chrono::duration_cast<Seconds>(Clock::now() - start);
  if (WIFEXITED(status) && !r.timed_out) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.term_signal = WTERMSIG(status);
  }
  return r;
}

}  // namespace mullet
