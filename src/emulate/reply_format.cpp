#include "emulate/reply_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

namespace mullet::reply_format {

Field Str(std::string k, std::string v) { return {std::move(k), std::move(v), true}; }
Field Int(std::string k, std::int64_t v) { return {std::move(k), std::to_string(v), false}; }
// api.c prints doubles with fixed decimals: "%.2f" MHS, "%.8f" difficulty...
Field Num(std::string k, double v, int decimals) {
  return {std::move(k), fmt::format("{:.{}f}", v + 0.0, decimals), false};
}
Field Bool(std::string k, bool v) { return {std::move(k), v ? "true" : "false", false}; }

// Rendering goes straight into one buffer (a reply is rendered ~10^4 times a
// second for a large fleet).
namespace {

void AppendEscaped(std::string& out, std::string_view s, bool json) {
  for (char ch : s) {
    // api.c escape_string: JSON escapes " and \; text escapes | , = and \.
    const bool special =
        json ? (ch == '"' || ch == '\\') : (ch == '|' || ch == ',' || ch == '=' || ch == '\\');
    if (special) out.push_back('\\');
    out.push_back(ch);
  }
}

void AppendKey(std::string& out, std::string_view key) {
  out.push_back('"');
  AppendEscaped(out, key, true);
  out += "\":";
}

void AppendRecordJson(std::string& out, const Record& r, bool sorted) {
  std::vector<const Field*> order;
  for (const Field& f : r) order.push_back(&f);
  if (sorted)
    std::stable_sort(order.begin(), order.end(),
                     [](const Field* a, const Field* b) { return a->key < b->key; });
  out.push_back('{');
  for (const Field* f : order) {
    if (f != order.front()) out.push_back(',');
    AppendKey(out, f->key);
    if (!f->quoted) {
      out += f->value;
      continue;
    }
    out.push_back('"');
    AppendEscaped(out, f->value, true);
    out.push_back('"');
  }
  out.push_back('}');
}

void AppendRecordText(std::string& out, const Record& r) {
  for (const Field& f : r) {
    if (&f != &r.front()) out.push_back(',');
    out += f.key;
    out.push_back('=');
    AppendEscaped(out, f.value, false);
  }
  out.push_back('|');
}

}  // namespace

// An object of few members (a body, a multi-command); LuxOS sorts them by name.
std::string JsonObject(Members members, bool sorted) {
  if (sorted) std::stable_sort(members.begin(), members.end());
  std::string out = "{";
  for (const auto& [key, value] : members) {
    if (out.size() > 1) out.push_back(',');
    AppendKey(out, key);
    out += value;
  }
  return out + "}";
}

// {"STATUS":[{...}],"<SECTION>":[{...},...],"id":1}
std::string BodyJson(const Body& b, bool sorted) {
  std::string status = "[";
  AppendRecordJson(status, b.status, sorted);
  Members m{{"STATUS", status + "]"}};
  for (const Section& s : b.sections) {
    std::string list = "[";
    for (const Record& r : s.records) {
      if (list.size() > 1) list.push_back(',');
      AppendRecordJson(list, r, sorted);
    }
    m.emplace_back(s.name, list + "]");
  }
  m.emplace_back("id", "1");  // api.c JSON_END
  return JsonObject(std::move(m), sorted);
}

// STATUS=S,...|SUMMARY,Elapsed=...| as api.c writes for a plain request.
void AppendBodyText(std::string& out, const Body& b) {
  AppendRecordText(out, b.status);
  for (const Section& s : b.sections) {
    for (const Record& r : s.records) {
      if (s.text_prefix) out += s.name + ",";
      AppendRecordText(out, r);
    }
  }
}

std::string Render(const Body& b, bool json, bool sorted) {
  if (json) return BodyJson(b, sorted);
  std::string out;
  AppendBodyText(out, b);
  return out;
}

}  // namespace mullet::reply_format
