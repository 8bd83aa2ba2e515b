// Reading a whole text file, with the errors a person can act on.

#ifndef MULLET_DATA_FILE_TEXT_H_
#define MULLET_DATA_FILE_TEXT_H_

#include <filesystem>
#include <string>

#include "core/status/result.h"

namespace mullet {

// The file's bytes. NotFound naming the path when it does not exist, IoError
// when it is a directory or cannot be read.
Result<std::string> ReadFileText(const std::filesystem::path& file);

}  // namespace mullet

#endif  // MULLET_DATA_FILE_TEXT_H_
