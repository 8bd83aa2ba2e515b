#include "data/staged_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

namespace mullet {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& f) {
  std::ifstream in(f, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int FilesIn(const fs::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

class StagedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mullet_staged_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    target_ = dir_ / "summary.json";
    std::ofstream(target_) << "old";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_, target_;
};

TEST_F(StagedFileTest, ReplacesTheTargetOnlyOnCommit) {
  {
    Result<StagedFile> s = StagedFile::Write(target_, [](std::ostream& out) { out << "new"; });
    ASSERT_TRUE(s.ok()) << s.status().message();
    EXPECT_NE(s->path(), target_);
    EXPECT_EQ(s->path().parent_path(), dir_);
    EXPECT_EQ(Read(s->path()), "new");
    EXPECT_EQ(Read(target_), "old");  // not yet
  }  // dropped: removed, target as it was
  EXPECT_EQ(Read(target_), "old");
  EXPECT_EQ(FilesIn(dir_), 1);

  Result<StagedFile> s = StagedFile::Write(target_, [](std::ostream& out) { out << "new"; });
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s.value().Commit().ok());
  EXPECT_EQ(Read(target_), "new");
  EXPECT_EQ(FilesIn(dir_), 1);
}

TEST_F(StagedFileTest, TwoStagedFilesOfOneTargetHaveTheirOwnNames) {
  Result<StagedFile> a = StagedFile::Write(target_, [](std::ostream& out) { out << "a"; });
  Result<StagedFile> b = StagedFile::Write(target_, [](std::ostream& out) { out << "b"; });
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->path(), b->path());
  EXPECT_EQ(Read(a->path()), "a");
  EXPECT_EQ(Read(b->path()), "b");
}

TEST_F(StagedFileTest, APlantedSymlinkIsReplacedNeverFollowed) {
  // Someone who can write the output folder points the target (and the old,
  // guessable summary.json.tmp) at a file of the user's.
  const fs::path victim = dir_ / "victim";
  std::ofstream(victim) << "precious";
  fs::remove(target_);
  fs::create_symlink(victim, target_);
  fs::create_symlink(victim, dir_ / "summary.json.tmp");
  ASSERT_TRUE(WriteFileAtomically(target_, std::string("result")).ok());
  EXPECT_EQ(Read(victim), "precious");
  EXPECT_FALSE(fs::is_symlink(target_));
  EXPECT_EQ(Read(target_), "result");
}

TEST_F(StagedFileTest, AWriteThatFailsLeavesTheTargetAndNoStagedFile) {
  // A file-size limit makes every write past 4 KiB fail (EFBIG), as a full
  // disk would (ENOSPC).
  struct rlimit old {};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const Status s = WriteFileAtomically(target_, std::string(1 << 20, 'x'));
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("cannot write " + target_.string() + ".tmp."), std::string::npos) << s.message();
  EXPECT_EQ(Read(target_), "old");
  EXPECT_EQ(FilesIn(dir_), 1);
}

TEST_F(StagedFileTest, AMissingFolderIsAnErrorNamingIt) {
  const Status s = WriteFileAtomically(dir_ / "no" / "such" / "file.csv", std::string("x"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no/such/file.csv.tmp."), std::string::npos) << s.message();
}

TEST_F(StagedFileTest, StageAppendedKeepsTheFilesLineEnds) {
  std::ofstream(dir_ / "crlf.csv", std::ios::binary) << "a,b\r\n1,2\r\n";
  std::ofstream(dir_ / "lf.csv", std::ios::binary) << "a,b\n1,2";  // no final line end
  Result<StagedFile> crlf = StageAppended(dir_ / "crlf.csv", "3,4\n5,6\n");
  Result<StagedFile> lf = StageAppended(dir_ / "lf.csv", "3,4\n");
  ASSERT_TRUE(crlf.ok() && lf.ok());
  EXPECT_EQ(Read(crlf->path()), "a,b\r\n1,2\r\n3,4\r\n5,6\r\n");
  EXPECT_EQ(Read(lf->path()), "a,b\n1,2\n3,4\n");
}

}  // namespace
}  // namespace mullet
