#include "core/text/untrusted_text.h"

#include <gtest/gtest.h>

#include <string>

namespace mullet {
namespace {

TEST(JsonDepthTest, CountsArraysAndObjectsButNotBracketsInStrings) {
  EXPECT_TRUE(CheckJsonDepth(R"({"a":[{"b":[1,2]}]})", 4).ok());
  EXPECT_FALSE(CheckJsonDepth(R"({"a":[{"b":[1,2]}]})", 3).ok());
  EXPECT_TRUE(CheckJsonDepth(R"({"s":"[[[[[[[[\"[[[["})", 1).ok());  // inside a string, escapes too
  const Status deep = CheckJsonDepth(std::string(60000, '[') + std::string(60000, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.code(), StatusCode::kDataError);
  EXPECT_EQ(deep.message(), "nests deeper than 64 at byte 64");
  // Deep but closed before the limit: fine.
  std::string wide;
  for (int i = 0; i < 1000; ++i) wide += "[[[]]],";
  EXPECT_TRUE(CheckJsonDepth("[" + wide + "1]").ok());
}

TEST(Utf8Test, AcceptsWellFormedAndRefusesTheRest) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Zürich – 東京 😀"));
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // cut short
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST(PrintableTest, EscapesWhatCouldDriveATerminal) {
  EXPECT_EQ(Printable("S21 Pro ok"), "S21 Pro ok");
  EXPECT_EQ(Printable("Zürich"), "Zürich");
  EXPECT_EQ(Printable("\x1b[2J\x1b]0;title\x07"), "\\x1b[2J\\x1b]0;title\\x07");
  EXPECT_EQ(Printable("ok\r\nFAKE 127.0.0.1 ok"), "ok\\r\\nFAKE 127.0.0.1 ok");
  EXPECT_EQ(Printable("\xc2\x9b" "31m"), "\\xc2\\x9b31m");  // C1 CSI
  EXPECT_EQ(Printable("bad \xff byte"), "bad \\xff byte");
  EXPECT_EQ(Printable(std::string(500, 'x'), 10), "xxxxxxxxxx... (490 more bytes)");
}

TEST(CsvFieldTest, QuotesPerRfc4180AndDisarmsFormulas) {
  EXPECT_EQ(CsvField("hall A"), "hall A");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(CsvField("+1"), "'+1");
  EXPECT_EQ(CsvField("@sum"), "'@sum");
  EXPECT_EQ(CsvField(""), "");
}

}  // namespace
}  // namespace mullet
