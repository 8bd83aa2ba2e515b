// The meaning of each reason code has one home, dispatch/reason.cpp, and
// says what docs/backtest.md's reason table says, word for word: the report
// prints it beside the code.

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "dispatch/reason.h"

namespace mullet {
namespace {

constexpr std::size_t kReasons = static_cast<std::size_t>(Reason::kCount);

// code -> meaning from the rows "| `code` | meaning |" of the "## Reason
// codes" section of docs/backtest.md.
std::map<std::string, std::string> DocsTable() {
  std::ifstream in(std::string(MULLET_DOCS) + "/backtest.md");
  EXPECT_TRUE(in) << MULLET_DOCS << "/backtest.md";
  std::map<std::string, std::string> table;
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## Reason codes";
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    const std::size_t code_end = line.find("` |", 3);
    if (code_end == std::string::npos) continue;
    std::string meaning = line.substr(code_end + 3);
    if (!meaning.empty() && meaning.back() == '|') meaning.pop_back();
    const std::size_t first = meaning.find_first_not_of(' ');
    const std::size_t last = meaning.find_last_not_of(' ');
    table[line.substr(3, code_end - 3)] =
        first == std::string::npos ? "" : meaning.substr(first, last - first + 1);
  }
  return table;
}

TEST(ReasonMeaningTest, EveryReasonHasAMeaning) {
  for (std::size_t c = 0; c < kReasons; ++c) {
    const auto r = static_cast<Reason>(c);
    EXPECT_FALSE(ReasonMeaning(r).empty()) << ReasonName(r);
  }
}

TEST(ReasonMeaningTest, EveryMeaningIsTheDocsTables) {
  const std::map<std::string, std::string> docs = DocsTable();
  EXPECT_EQ(docs.size(), kReasons) << "docs/backtest.md lists a code the enum lacks, or misses one";
  for (std::size_t c = 0; c < kReasons; ++c) {
    const auto r = static_cast<Reason>(c);
    const auto it = docs.find(std::string(ReasonName(r)));
    ASSERT_NE(it, docs.end()) << ReasonName(r) << " is not in docs/backtest.md's reason table";
    EXPECT_EQ(ReasonMeaning(r), it->second) << ReasonName(r);
  }
}

TEST(ReasonMeaningTest, MeaningsAreDistinct) {
  std::map<std::string_view, Reason> seen;
  for (std::size_t c = 0; c < kReasons; ++c) {
    const auto r = static_cast<Reason>(c);
    const auto [it, fresh] = seen.emplace(ReasonMeaning(r), r);
    EXPECT_TRUE(fresh) << ReasonName(r) << " means the same as " << ReasonName(it->second);
  }
}

}  // namespace
}  // namespace mullet
