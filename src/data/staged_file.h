// A file replaced whole or not at all. The new text is written beside the
// target under a fresh random name, created with O_CREAT|O_EXCL|O_NOFOLLOW (a
// file or symlink planted at a guessable name is never followed or
// overwritten), flushed to disk, and only Commit() renames it over the
// target. A staged file dropped without Commit() is removed, so a failed
// check or a crash never leaves a half-written file under the final name.
//
//   Result<StagedFile> staged = StagedFile::Write(file, [&](std::ostream& out) { out << text; });
//   if (!staged.ok()) return staged.status();
//   if (Status s = Check(staged->path()); !s.ok()) return s;   // removed on return
//   return staged->Commit();

#ifndef MULLET_DATA_STAGED_FILE_H_
#define MULLET_DATA_STAGED_FILE_H_

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "core/status/result.h"

namespace mullet {

// Whether a staged file is flushed to the disk (fsync) before it may replace
// its target: yes for history (mullet data), whose loss a power cut must not
// cause; no for a run's results, which are made again by running again (a
// crash still leaves the old file or the new one, never half of one).
enum class Sync { kYes, kNo };

class StagedFile {
 public:
  // Creates the staged file beside `target` and fills it with what `write`
  // puts on the stream. IoError naming the file if it cannot be created or
  // written in full (a full disk).
  static Result<StagedFile> Write(const std::filesystem::path& target,
                                  const std::function<void(std::ostream&)>& write, Sync sync = Sync::kYes);

  StagedFile(StagedFile&& other) noexcept;
  StagedFile& operator=(StagedFile&&) = delete;
  StagedFile(const StagedFile&) = delete;
  ~StagedFile();

  // Where the staged text is, for a loader to check before Commit().
  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& target() const { return target_; }

  // Renames the staged file over the target (a symlink at the target is
  // replaced, not followed) and syncs the directory.
  Status Commit();

 private:
  StagedFile(std::filesystem::path target, std::filesystem::path path, Sync sync)
      : target_(std::move(target)), path_(std::move(path)), sync_(sync) {}
  std::filesystem::path target_, path_;
  Sync sync_ = Sync::kYes;
  bool pending_ = true;
};

// Stages `file`'s text with `rows` (lines ending in "\n") appended, in the
// file's own line ends (CRLF where it has them).
Result<StagedFile> StageAppended(const std::filesystem::path& file, const std::string& rows);

// Stages `file` with `rows` appended, checks the staged text with `load` (a
// loader returning a Result) and keeps it in `staged`, renaming nothing: the
// caller commits every file of a change once all are checked (CommitAll).
// Empty `rows` stage nothing.
template <typename Load>
Status StageAppendedChecked(const std::filesystem::path& file, const std::string& rows, Load load,
                            std::vector<StagedFile>& staged) {
  if (rows.empty()) return Status::Ok();
  Result<StagedFile> f = StageAppended(file, rows);
  if (!f.ok()) return f.status();
  if (auto check = load(f->path()); !check.ok()) {
    return Status::DataError("the refreshed " + file.filename().string() + " does not load, nothing replaced: " +
                             check.status().message());
  }
  staged.push_back(std::move(f).value());
  return Status::Ok();
}
Status CommitAll(std::vector<StagedFile>& staged);

// Writes `contents` (or what `write` puts on the stream) to `file` through a
// staged file and a rename.
Status WriteFileAtomically(const std::filesystem::path& file, const std::string& contents, Sync sync = Sync::kYes);
Status WriteFileAtomically(const std::filesystem::path& file, const std::function<void(std::ostream&)>& write,
                           Sync sync = Sync::kYes);

}  // namespace mullet

#endif  // MULLET_DATA_STAGED_FILE_H_
