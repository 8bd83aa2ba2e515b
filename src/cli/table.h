// A text table for the terminal: columns padded to their widest cell, two
// spaces apart; numbers right-aligned, the columns marked as text left-aligned.

#ifndef MULLET_CLI_TABLE_H_
#define MULLET_CLI_TABLE_H_

#include <cstddef>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace mullet {

// `rows[0]` is the header. Trailing spaces are trimmed from each line.
void PrintTable(const std::vector<std::vector<std::string>>& rows, const std::set<std::size_t>& text_columns,
                std::ostream& out);

}  // namespace mullet

#endif  // MULLET_CLI_TABLE_H_
