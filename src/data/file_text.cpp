#include "data/file_text.h"

#include <fstream>
#include <sstream>
#include <system_error>

namespace mullet {

namespace fs = std::filesystem;

Result<std::string> ReadFileText(const fs::path& file) {
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (!fs::exists(st)) return Status::NotFound("cannot open " + file.string() + ": no such file");
  if (fs::is_directory(st)) {
    return Status::IoError("cannot read " + file.string() + ": it is a directory");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + file.string() + " for reading");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError("error while reading " + file.string());
  return std::move(text).str();
}

}  // namespace mullet
