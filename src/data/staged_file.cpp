#include "data/staged_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <streambuf>

namespace mullet {
namespace {

namespace fs = std::filesystem;

// A stream buffer over a file descriptor, 256 KiB at a time; a failed write
// (ENOSPC, EIO) sets `failed` and the stream's badbit.
class FdBuf : public std::streambuf {
 public:
  explicit FdBuf(int fd) : fd_(fd), buf_(256 * 1024) { setp(buf_.data(), buf_.data() + buf_.size()); }
  bool failed() const { return failed_; }
  int error() const { return errno_; }

 protected:
  int_type overflow(int_type c) override {
    if (!Drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return Drain() ? 0 : -1; }

 private:
  bool Drain() {
    const char* p = pbase();
    std::size_t left = static_cast<std::size_t>(pptr() - pbase());
    while (left > 0 && !failed_) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed_ = true;
        errno_ = n < 0 ? errno : ENOSPC;
        break;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    setp(buf_.data(), buf_.data() + buf_.size());
    return !failed_;
  }
  int fd_;
  std::vector<char> buf_;
  bool failed_ = false;
  int errno_ = 0;
};

std::string RandomSuffix() {
  static thread_local std::mt19937_64 gen(std::random_device{}() ^
                                           (static_cast<std::uint64_t>(::getpid()) << 32));
  static const char* hex = "0123456789abcdef";
  std::uint64_t v = gen();
  std::string s(12, '0');
  for (char& c : s) {
    c = hex[v & 15];
    v >>= 4;
  }
  return s;
}

void SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

Result<StagedFile> StagedFile::Write(const fs::path& target, const std::function<void(std::ostream&)>& write,
                                     Sync sync) {
  fs::path path;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    path = target;
    path += ".tmp." + RandomSuffix();
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) {
      return Status::IoError("cannot write " + path.string() + ": " + std::strerror(errno));
    }
  }
  if (fd < 0) return Status::IoError("cannot create a fresh file beside " + target.string());
  StagedFile staged(target, path, sync);
  FdBuf buf(fd);
  std::ostream out(&buf);
  write(out);
  out.flush();
  const bool written = !buf.failed() && out.good();
  const int err = buf.error();
  const bool synced = written && (sync == Sync::kNo || ::fsync(fd) == 0);
  const bool closed = ::close(fd) == 0;
  if (!written || !synced || !closed) {
    return Status::IoError("cannot write " + path.string() + ": " +
                           (err != 0 ? std::strerror(err) : "write failed") + " (disk full?)");
  }
  return staged;
}

StagedFile::StagedFile(StagedFile&& other) noexcept
    : target_(std::move(other.target_)), path_(std::move(other.path_)), sync_(other.sync_), pending_(other.pending_) {
  other.pending_ = false;
}

StagedFile::~StagedFile() {
  if (pending_) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
}

Status StagedFile::Commit() {
  if (!pending_) return Status::Ok();
  if (::rename(path_.c_str(), target_.c_str()) != 0) {
    return Status::IoError("cannot rename " + path_.string() + " to " + target_.string() + ": " +
                           std::strerror(errno));
  }
  pending_ = false;
  if (sync_ == Sync::kYes) SyncDirectory(target_.parent_path());
  return Status::Ok();
}

Result<StagedFile> StageAppended(const fs::path& file, const std::string& rows) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + file.string());
  std::string text(std::istreambuf_iterator<char>(in), {});
  const bool crlf = text.find("\r\n") != std::string::npos;
  if (!text.empty() && text.back() != '\n') text += crlf ? "\r\n" : "\n";
  if (!crlf) {
    text += rows;
  } else {
    for (char c : rows) {
      if (c == '\n') text += '\r';
      text += c;
    }
  }
  return StagedFile::Write(file, [&](std::ostream& out) { out.write(text.data(), static_cast<std::streamsize>(text.size())); });
}

Status CommitAll(std::vector<StagedFile>& staged) {
  for (StagedFile& f : staged) {
    if (Status s = f.Commit(); !s.ok()) return s;
  }
  return Status::Ok();
}

Status WriteFileAtomically(const fs::path& file, const std::function<void(std::ostream&)>& write, Sync sync) {
  Result<StagedFile> staged = StagedFile::Write(file, write, sync);
  if (!staged.ok()) return staged.status();
  return staged.value().Commit();
}

Status WriteFileAtomically(const fs::path& file, const std::string& contents, Sync sync) {
  return WriteFileAtomically(
      file, [&](std::ostream& out) { out.write(contents.data(), static_cast<std::streamsize>(contents.size())); },
      sync);
}

}  // namespace mullet
