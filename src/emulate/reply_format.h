// A reply of the emulated cgminer API as data, and its two renderings (ckolivas/
// cgminer api.c): JSON, {"STATUS":[{...}],"<SECTION>":[{...},...],"id":1}, and
// the text form, STATUS=S,...|SUMMARY,Elapsed=...|. Values are escaped as api.c
// escape_string does: " and \ in JSON; | , = and \ in text. `sorted` orders
// keys by name, as LuxOS prints them. No trailing NUL: the caller frames.
//
// Internal to emulate/ (rpc_replies.cpp). Pure. Thread safety: functions on values.

#ifndef MULLET_EMULATE_REPLY_FORMAT_H_
#define MULLET_EMULATE_REPLY_FORMAT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mullet::reply_format {

// One key and its value as printed; `quoted` values are JSON strings.
struct Field {
  std::string key;
  std::string value;  // as printed
  bool quoted = false;
};
using Record = std::vector<Field>;
struct Section {
  std::string name;  // "SUMMARY"
  std::vector<Record> records;
  bool text_prefix = true;  // text mode writes "SUMMARY," before the fields (api.c)
};
struct Body {
  Record status;
  std::vector<Section> sections;
};

Field Str(std::string k, std::string v);  // a quoted string
Field Int(std::string k, std::int64_t v);
Field Num(std::string k, double v, int decimals);  // fixed decimals, as api.c's "%.2f"
Field Bool(std::string k, bool v);                 // true / false, unquoted

// Members of a JSON object: key, value already rendered as JSON.
using Members = std::vector<std::pair<std::string, std::string>>;

// {"k":v,...}; a stable sort by key first when `sorted`.
std::string JsonObject(Members members, bool sorted);

// The body as one JSON object ending "id":1; keys sorted at every level when `sorted`.
std::string BodyJson(const Body& b, bool sorted);

// Appends the body in text form: the STATUS record, then every section's records.
void AppendBodyText(std::string& out, const Body& b);

// BodyJson(b, sorted) when `json`, else the text form.
std::string Render(const Body& b, bool json, bool sorted);

}  // namespace mullet::reply_format

#endif  // MULLET_EMULATE_REPLY_FORMAT_H_
