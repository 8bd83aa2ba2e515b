#include "drivers/gpu/nvidia_smi.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/text/untrusted_text.h"

namespace mullet {
namespace {

constexpr int kFieldCount = 9;
constexpr std::string_view kFieldNames[kFieldCount] = {"index",
                                                       "uuid",
                                                       "name",
                                                       "power.draw",
                                                       "power.limit",
                                                       "enforced.power.limit",
                                                       "power.default_limit",
                                                       "power.min_limit",
                                                       "power.max_limit"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t comma = line.find(',');
    fields.push_back(Trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

// nvidia-smi writes a value it cannot read in brackets: "[N/A]", "[Not
// Supported]", "[Unknown Error]", "[GPU requires reset]"; some versions write
// a bare "N/A".
bool IsAbsent(std::string_view v) {
  return v == "N/A" || (v.size() >= 2 && v.front() == '[' && v.back() == ']');
}

Status FieldError(int line_no, int field, std::string_view what, std::string_view text) {
  return Status::DataError("line " + std::to_string(line_no) + ": " + std::string(kFieldNames[field]) + ": " +
                           std::string(what) + ", got " + Quoted(text));
}

// "71.52", or "71.52 W" when the caller left off `nounits`.
Result<std::optional<Watts>> ParseWatts(int line_no, int field, std::string_view text) {
  if (IsAbsent(text)) return std::optional<Watts>();
  std::string_view v = text;
  if (!v.empty() && v.back() == 'W') v = Trim(v.substr(0, v.size() - 1));
  double w = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), w);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(w) || w < 0) {
    return FieldError(line_no, field, "expected watts", text);
  }
  if (w > kMaxGpuWatts) return FieldError(line_no, field, "more watts than one GPU can draw", text);
  return std::optional<Watts>(Watts(w));
}

Result<GpuReading> ParseLine(int line_no, std::string_view line) {
  const std::vector<std::string_view> f = Split(line);
  if (static_cast<int>(f.size()) != kFieldCount) {
    return Status::DataError("line " + std::to_string(line_no) + ": expected " +
                             std::to_string(kFieldCount) + " fields (" +
                             std::string(kQueryGpuFields) + "), got " + std::to_string(f.size()) +
                             ": " + Quoted(line));
  }
  GpuReading g;
  const auto [end, ec] = std::from_chars(f[0].data(), f[0].data() + f[0].size(), g.index);
  if (f[0].empty() || ec != std::errc() || end != f[0].data() + f[0].size() || g.index < 0) {
    return FieldError(line_no, 0, "expected a GPU index", f[0]);
  }
  for (int i : {1, 2}) {
    if (f[i].empty() || IsAbsent(f[i])) return FieldError(line_no, i, "required", f[i]);
    if (f[i].size() > 200 || Printable(f[i], 200) != f[i]) {
      return FieldError(line_no, i, "expected printable text of at most 200 bytes", f[i]);
    }
  }
  g.uuid = f[1];
  g.name = f[2];
  std::optional<Watts>* watts[] = {&g.power_draw,    &g.power_limit, &g.enforced_limit,
                                   &g.default_limit, &g.min_limit,   &g.max_limit};
  for (int i = 3; i < kFieldCount; ++i) {
    Result<std::optional<Watts>> w = ParseWatts(line_no, i, f[i]);
    if (!w.ok()) return w.status();
    *watts[i - 3] = *w;
  }
  return g;
}

// The argument of -pl: "300" for whole watts, "300.50" otherwise.
std::string PlArgument(Watts cap) {
  char buf[32];
  const double w = cap.value();
  if (w == std::floor(w)) {
    std::snprintf(buf, sizeof buf, "%.0f", w);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", w);
  }
  return buf;
}

std::string OneLine(const std::string& text) {
  std::string s;
  for (char c : text) {
    if (c == '\r') continue;
    s += c == '\n' ? std::string("; ") : std::string(1, c);
  }
  while (s.size() >= 2 && s.compare(s.size() - 2, 2, "; ") == 0) s.resize(s.size() - 2);
  return Printable(s, 400);
}

}  // namespace

Result<std::vector<GpuReading>> ParseQueryGpuCsv(std::string_view text) {
  std::vector<GpuReading> gpus;
  int line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty()) continue;
    // Without `noheader` the first line names the columns: "index, uuid, name, power.draw [W],
    // ...".
    if (gpus.empty() && line.substr(0, line.find(',')) == "index") continue;
    Result<GpuReading> g = ParseLine(line_no, line);
    if (!g.ok()) return g.status();
    gpus.push_back(std::move(g).value());
  }
  return gpus;
}

Result<std::vector<GpuReading>> NvidiaSmiGpuNode::Read() {
  const std::vector<std::string> argv = {options_.binary,
                                         "--query-gpu=" + std::string(kQueryGpuFields),
                                         "--format=csv,noheader,nounits"};
  Result<CommandResult> run = RunCommand(argv, options_.command);
  if (!run.ok()) return run.status();
  if (std::string why = DescribeFailure(argv, *run, options_.command); !why.empty()) {
    return Status::IoError(why);
  }
  if (run->truncated) {
    return Status::DataError("`" + DescribeCommand(argv) + "` printed more than " +
                             std::to_string(options_.command.max_output_bytes) + " bytes");
  }
  Result<std::vector<GpuReading>> gpus = ParseQueryGpuCsv(run->out);
  if (!gpus.ok())
    return Status::DataError("`" + DescribeCommand(argv) + "`: " + gpus.status().message());
  for (const GpuReading& g : *gpus) limits_[g.index] = g;
  return gpus;
}

Status NvidiaSmiGpuNode::SetPowerLimit(int index, Watts cap) {
  if (!limits_.contains(index)) {
    // The range is needed before anything is sent; a query changes nothing.
    Result<std::vector<GpuReading>> gpus = Read();
    if (!gpus.ok()) return gpus.status();
  }
  const auto it = limits_.find(index);
  if (it == limits_.end()) {
    return Status::NotFound("no GPU with index " + std::to_string(index) + " on this node (" +
                            std::to_string(limits_.size()) + " GPUs)");
  }
  if (Status s = CheckCapInRange(it->second, cap); !s.ok()) return s;
  const std::vector<std::string> argv = {options_.binary, "-i", std::to_string(index), "-pl",
                                         PlArgument(cap)};
  Result<CommandResult> run = RunCommand(argv, options_.command);
  if (!run.ok()) return run.status();
  if (std::string why = DescribeFailure(argv, *run, options_.command); !why.empty()) {
    return Status::IoError(why);
  }
  last_message_ = OneLine(run->out);
  return Status::Ok();
}

}  // namespace mullet
