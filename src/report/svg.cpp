#include "report/svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>

namespace mullet::report {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

double Finite(double v) { return std::isfinite(v) ? v : 0.0; }

// The symmetric log of SymLogAxis: linear within ±10, log10 beyond.
constexpr double kSymLogLinear = 10;
double SymLog(double v) { return std::copysign(std::log10(1 + std::fabs(v) / kSymLogLinear), v); }

// 1, 2, 2.5 or 5 times a power of ten, the smallest at least `raw`.
double NiceStep(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0}) {
    if (m * mag >= raw * (1 - 1e-9)) return m * mag;
  }
  return 10 * mag;
}

// A run of `k` steps of `step_hours` is "calendar-friendly" when it divides
// a day or is a whole number of days.
bool CalendarFriendly(std::size_t k, double step_hours) {
  const double h = k * step_hours;
  const double whole = std::round(h);
  if (std::fabs(h - whole) > 1e-6) return false;
  const auto n = static_cast<long long>(whole);
  return n > 0 && (24 % n == 0 || n % 24 == 0);
}

std::string TwoDigits(unsigned v) { return fmt::format("{:02}", v); }

std::string DayLabel(UtcTime t) { return FormatDate(std::chrono::floor<days>(t)); }

std::string HourLabel(UtcTime t) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd(day);
  const auto h = std::chrono::duration_cast<hours>(t - day).count();
  return fmt::format("{}-{} {}:00", TwoDigits(static_cast<unsigned>(ymd.month())),
                     TwoDigits(static_cast<unsigned>(ymd.day())),
                     TwoDigits(static_cast<unsigned>(h)));
}

// Ticks every `every` seconds, aligned to the epoch (to Mondays for weeks);
// stops at limit + 1 (too many: the caller tries a longer interval).
std::vector<TimeTick> FixedTicks(UtcTime t0, UtcTime t1, seconds every, std::size_t limit) {
  // 1970-01-01 was a Thursday; Monday 1970-01-05 anchors the weeks.
  const seconds anchor = every == days(7) ? seconds(days(4)) : seconds(0);
  const auto since = t0.time_since_epoch() - anchor;
  auto first = (since.count() + every.count() - 1) / every.count();
  if (since.count() < 0) first = since.count() / every.count();
  std::vector<TimeTick> ticks;
  for (UtcTime t = UtcTime(anchor + every * first); t <= t1; t += every) {
    if (ticks.size() == limit) {
      ticks.push_back({t, ""});
      break;
    }
    ticks.push_back({t, every < days(1) ? HourLabel(t) : DayLabel(t)});
  }
  return ticks;
}

// Ticks on the first day of every `every` months (January-aligned); stops at
// limit + 1, as FixedTicks does.
std::vector<TimeTick> MonthTicks(UtcTime t0, UtcTime t1, int every, std::size_t limit) {
  const std::chrono::year_month_day ymd(std::chrono::floor<days>(t0));
  std::chrono::year_month ym(ymd.year(), ymd.month());
  if (UtcTime(std::chrono::sys_days(ym / 1)) < t0) ym += std::chrono::months(1);
  auto index = [](std::chrono::year_month m) {
    return static_cast<int>(m.year()) * 12 + static_cast<int>(static_cast<unsigned>(m.month())) - 1;
  };
  while (index(ym) % every != 0) ym += std::chrono::months(1);
  std::vector<TimeTick> ticks;
  for (; UtcTime(std::chrono::sys_days(ym / 1)) <= t1; ym += std::chrono::months(every)) {
    if (ticks.size() == limit) {
      ticks.push_back({UtcTime(std::chrono::sys_days(ym / 1)), ""});
      break;
    }
    const std::string label = every >= 12
                                  ? fmt::format("{}", static_cast<int>(ym.year()))
                                  : fmt::format("{}-{}", static_cast<int>(ym.year()),
                                                TwoDigits(static_cast<unsigned>(ym.month())));
    ticks.push_back({UtcTime(std::chrono::sys_days(ym / 1)), label});
  }
  return ticks;
}

constexpr std::string_view kCss = R"(
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1d2330;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page{max-width:1320px;margin:0 auto;padding:24px 28px 48px;background:#fff;min-height:100vh}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid #e3e6ea}
h3{font-size:15px;margin:22px 0 6px}
.sub{color:#5b6472;margin:0 0 12px}
nav{display:flex;flex-wrap:wrap}
nav a{color:#1f3b73;margin-right:14px;text-decoration:none;font-size:13px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;background:#f0f2f5;padding:1px 4px;border-radius:3px}
code.cmd{overflow-wrap:anywhere}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:12.5px;margin:6px 0 12px}
th,td{padding:4px 7px;border-bottom:1px solid #e3e6ea;vertical-align:top}
td{white-space:nowrap}
table.prose td{white-space:normal}
table.dense{font-size:12px}
table.dense th,table.dense td{padding:4px 5px}
th{background:#f0f2f5;text-align:left;font-weight:600;vertical-align:bottom}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr.best td{background:#e6f4ea;font-weight:600}
tr.total td{border-top:2px solid #9aa3af;font-weight:600}
table.kv th{background:none;width:170px;vertical-align:top}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr));gap:0 24px}
figure{margin:8px 0 20px}
svg.chart{width:100%;height:auto;display:block;font-family:inherit}
svg.chart text{fill:#4a5260}
svg.chart .axis-title{font-weight:600}
figcaption,.note{color:#5b6472;font-size:12.5px}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12.5px;margin:4px 0}
.legend i{display:inline-block;width:14px;height:10px;margin-right:6px;vertical-align:baseline}
.legend i.ln{height:0;width:22px;border-top-width:2.5px;vertical-align:middle}
p.finding{background:#f7f9fc;border-left:4px solid #1f3b73;padding:8px 12px}
footer{margin-top:36px;color:#5b6472;font-size:12.5px}
@media (max-width:600px){.page{padding:14px 10px 32px}h1{font-size:22px}h2{font-size:18px}}
)";

}  // namespace

std::string_view PageCss() { return kCss; }

// ---- Text.

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Grouped(double v, int decimals) {
  const std::string s = fmt::format("{:.{}f}", std::fabs(Finite(v)), decimals);
  const std::size_t dot = std::min(s.find('.'), s.size());
  std::string out;
  for (std::size_t i = 0; i < dot; ++i) {
    if (i > 0 && (dot - i) % 3 == 0) out += ',';
    out += s[i];
  }
  out += s.substr(dot);
  // "-0" and "-0.00" read as noise: only a non-zero printed value gets a sign.
  const bool zero = out.find_first_not_of("0.,") == std::string::npos;
  return (Finite(v) < 0 && !zero ? "-" : "") + out;
}

std::string Money(double usd) {
  const std::string g = Grouped(usd);
  return g.front() == '-' ? "-$" + g.substr(1) : "$" + g;
}

std::string MoneyShort(double usd) {
  const double v = Finite(usd), a = std::fabs(v);
  const char* sign = v < 0 ? "-" : "";
  const auto compact = [](double x) {  // 2.50 -> "2.5", 3.00 -> "3"
    std::string s = fmt::format("{:.2f}", x);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  };
  if (a >= 1e9) return fmt::format("{}${}B", sign, compact(a / 1e9));
  if (a >= 1e6) return fmt::format("{}${}M", sign, compact(a / 1e6));
  if (a >= 1e3) return fmt::format("{}${}k", sign, compact(a / 1e3));
  return fmt::format("{}${}", sign, compact(a));
}

std::string Percent(double fraction, bool precise) {
  const double p = Finite(fraction) * 100;
  std::string s = fmt::format("{:.2f}", p);
  for (int d = 3; precise && d <= 4 && s.starts_with("100.") && fraction < 1; ++d) {
    s = fmt::format("{:.{}f}", p, d);
  }
  return s + " %";
}

namespace {

// Fixed(v, decimals) appended to `out`, with no string of its own.
void AppendFixed(double v, int decimals, std::string& out) {
  char text[128];
  const auto written = fmt::format_to_n(text, sizeof text, "{:.{}f}", Finite(v), decimals);
  std::string_view s(text, std::min(written.size, sizeof text));
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string_view::npos) s.remove_prefix(1);
  out.append(s);
}

}  // namespace

std::string Fixed(double v, int decimals) {
  std::string out;
  AppendFixed(v, decimals, out);
  return out;
}

std::string Significant(double v, int digits) {
  v = Finite(v);
  if (v == 0) return "0";
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  return Grouped(v, std::clamp(digits - 1 - magnitude, 0, 12));
}

// Hours with two decimals only when they are not whole (sub-hourly steps).
std::string HoursText(double h) { return Grouped(h, std::fabs(h - std::round(h)) > 1e-6 ? 2 : 0); }

std::string SignedMoney(double usd) { return Signed(Money(usd), usd); }

std::string Signed(const std::string& magnitude_text, double v) {
  const bool zero = magnitude_text.find_first_not_of("$0.,") == std::string::npos;
  return v > 0 && !zero ? "+" + magnitude_text : magnitude_text;
}

std::string PriceText(double p) { return (p < 0 ? "-$" : "$") + Grouped(std::fabs(p), 2); }

// Axis ticks in MW: whole numbers plain, fractions with what they need.
std::string TickLabel(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9) return Grouped(v);
  return Grouped(v, std::fabs(v * 10 - std::round(v * 10)) < 1e-9 ? 1 : 2);
}

// How much time one chart point covers.
std::string PointSpan(std::size_t per_point, double step_hours, std::size_t points) {
  if (per_point <= 1) return fmt::format("every step is drawn ({} points)", Grouped(points));
  const double h = per_point * step_hours;
  const std::string span = std::fabs(h - 24) < 1e-6  ? "one day"
                           : std::fmod(h, 24) < 1e-6 ? Fixed(h / 24, 0) + " days"
                                                     : HoursText(h) + " h";
  return fmt::format("each point covers {} ({} points)", span, Grouped(points));
}

// One table row: the first `text_cols` and the last `trailing_text` cells are
// text, the others right-aligned numbers.
std::string Row(const std::vector<std::string>& cells, std::size_t text_cols,
                std::string_view tr_class, bool header, std::size_t trailing_text) {
  std::string out = tr_class.empty() ? "<tr>" : fmt::format("<tr class=\"{}\">", tr_class);
  const char* tag = header ? "th" : "td";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const bool text = i < text_cols || i + trailing_text >= cells.size();
    out += fmt::format("<{0}{1}>{2}</{0}>", tag, text ? "" : " class=\"num\"", cells[i]);
  }
  return out + "</tr>\n";
}

std::string Legend(const std::vector<LegendItem>& items) {
  std::string out = "<div class=\"legend\">";
  for (const LegendItem& it : items) {
    const std::string style = it.line ? fmt::format("border-top-style:{};border-top-color:{}",
                                                    it.dash.empty()    ? "solid"
                                                    : it.dash == "2 3" ? "dotted"
                                                                       : "dashed",
                                                    it.colour)
                                      : fmt::format("background:{}", it.colour);
    out += fmt::format("<span><i{} style=\"{}\"></i>{}</span>", it.line ? " class=\"ln\"" : "",
                       style, HtmlEscape(it.name));
  }
  return out + "</div>\n";
}

// ---- Downsampling.

std::size_t StepsPerPoint(std::size_t steps, double step_hours, std::size_t max_points) {
  max_points = std::max<std::size_t>(max_points, 1);
  if (steps <= max_points) return 1;
  const std::size_t raw = (steps + max_points - 1) / max_points;
  if (!(step_hours > 0)) return raw;
  for (std::size_t k = raw; k <= 2 * raw + 48 * 12; ++k) {
    if (CalendarFriendly(k, step_hours)) return k;
  }
  return raw;
}

Downsampled Downsample(const std::vector<UtcTime>& times, const std::vector<float>& v,
                       std::size_t per_point) {
  per_point = std::max<std::size_t>(per_point, 1);
  Downsampled d;
  for (std::size_t start = 0; start < times.size(); start += per_point) {
    const std::size_t end = std::min(times.size(), start + per_point);
    double sum = 0, max = 0;
    std::size_t count = 0;
    for (std::size_t i = start; i < end && i < v.size(); ++i) {
      if (!std::isfinite(v[i])) continue;
      max = count == 0 ? v[i] : std::max<double>(max, v[i]);
      sum += v[i];
      ++count;
    }
    d.times.push_back(times[start]);
    d.mean.push_back(count > 0 ? sum / count : 0.0);
    d.max.push_back(max);
  }
  return d;
}

// ---- Axes.

double Axis::Fraction(double v) const {
  if (scale == Scale::kLog) {
    if (!(lo > 0) || !(hi > lo)) return 0;
    if (!(Finite(v) > 0)) return 0;
    return std::clamp(std::log10(v / lo) / std::log10(hi / lo), 0.0, 1.0);
  }
  const bool log = scale == Scale::kSymLog;
  const double a = log ? SymLog(lo) : lo, b = log ? SymLog(hi) : hi;
  const double x = log ? SymLog(Finite(v)) : Finite(v);
  if (!(b > a)) return 0;
  return std::clamp((x - a) / (b - a), 0.0, 1.0);
}

Axis LinearAxis(double lo, double hi, const std::function<std::string(double)>& label,
                std::string title) {
  lo = Finite(lo);
  hi = Finite(hi);
  if (!(hi > lo)) hi = lo + 1;
  const double step = NiceStep((hi - lo) / 5);
  Axis axis;
  axis.lo = std::floor(lo / step + 1e-9) * step;
  axis.hi = std::ceil(hi / step - 1e-9) * step;
  axis.title = std::move(title);
  for (int i = 0; i <= 20; ++i) {
    const double t = axis.lo + i * step;
    if (t > axis.hi + step * 1e-6) break;
    axis.ticks.push_back(std::fabs(t) < step * 1e-9 ? 0.0 : t);
    axis.labels.push_back(label(axis.ticks.back()));
  }
  return axis;
}

Axis SymLogAxis(double lo, double hi, std::string title) {
  Axis axis;
  axis.scale = Scale::kSymLog;
  axis.lo = std::min(Finite(lo), 0.0);
  axis.hi = std::max(Finite(hi), axis.lo + 1);
  axis.title = std::move(title);
  // Powers of ten first (they never crowd on a log axis), then 2x and 5x
  // where they keep 7 % of the height from every tick already placed.
  std::vector<double> ticks = {0};
  for (double m : {1.0, 2.0, 5.0}) {
    for (double p = 10; p <= 1e6; p *= 10) {
      for (double t : {m * p, -m * p}) {
        if (t < axis.lo || t > axis.hi) continue;
        const bool crowded = std::any_of(ticks.begin(), ticks.end(), [&](double o) {
          return std::fabs(axis.Fraction(t) - axis.Fraction(o)) < 0.07;
        });
        if (!crowded) ticks.push_back(t);
      }
    }
  }
  std::sort(ticks.begin(), ticks.end());
  axis.ticks = ticks;
  for (double t : ticks) axis.labels.push_back(Money(t));
  return axis;
}

Axis LogAxis(double lo, double hi, const std::function<std::string(double)>& label,
             std::string title) {
  hi = Finite(hi) > 0 ? hi : 1;
  lo = Finite(lo) > 0 && lo < hi ? lo : hi / 10;
  // The nice numbers 1, 2 and 5 times a power of ten at or below (above) v.
  const auto nice = [](double v, bool up) {
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    double best = up ? 10 * p : p;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
      const double c = m * p;
      if (up && c >= v * (1 - 1e-9)) return std::min(best, c);
      if (!up && c <= v * (1 + 1e-9)) best = c;
    }
    return best;
  };
  Axis axis;
  axis.scale = Scale::kLog;
  axis.lo = nice(lo, false);
  axis.hi = nice(hi, true);
  axis.title = std::move(title);
  const bool narrow = axis.hi / axis.lo < 10;
  std::vector<double> steps = {1, 2, 5};
  if (narrow) steps = {1, 2, 5, 3, 4, 6, 7, 8, 9};
  std::vector<double> ticks;
  const int k0 = static_cast<int>(std::floor(std::log10(axis.lo)));
  const int k1 = static_cast<int>(std::ceil(std::log10(axis.hi)));
  for (double m : steps) {
    for (int k = k0; k <= k1; ++k) {
      const double t = m * std::pow(10.0, k);
      if (t < axis.lo * (1 - 1e-9) || t > axis.hi * (1 + 1e-9)) continue;
      const bool crowded = std::any_of(ticks.begin(), ticks.end(), [&](double o) {
        return std::fabs(axis.Fraction(t) - axis.Fraction(o)) < 0.07;
      });
      if (!crowded) ticks.push_back(t);
    }
  }
  std::sort(ticks.begin(), ticks.end());
  axis.ticks = ticks;
  for (double t : ticks) axis.labels.push_back(label(t));
  return axis;
}

std::vector<TimeTick> TimeTicks(UtcTime t0, UtcTime t1, int max_ticks) {
  const std::size_t limit = static_cast<std::size_t>(std::max(max_ticks, 1));
  for (int h : {1, 2, 3, 6, 12, 24, 48, 168}) {
    auto ticks = FixedTicks(t0, t1, hours(h), limit);
    if (ticks.size() <= limit) return ticks;
  }
  for (int m : {1, 2, 3, 6, 12, 24, 60, 120}) {
    auto ticks = MonthTicks(t0, t1, m, limit);
    if (ticks.size() <= limit) return ticks;
  }
  auto ticks = MonthTicks(t0, t1, 1200, limit);
  if (ticks.size() > limit) ticks.pop_back();
  return ticks;
}

// ---- Charts.

namespace {

// The margins around a plot leave room for tick labels of `font` size: 72,
// 24 and 28 units at the default 11.
double LeftMargin(const ChartSize& s) { return 6 * s.font + 6; }
double TopMargin(const ChartSize& s) { return 2 * s.font + 2; }
double BottomMargin(const ChartSize& s) { return 2 * s.font + 6; }
// The vertical offset that centres a tick label on its tick.
std::string LabelDy(const ChartSize& s) { return Fixed(std::round(s.font * 0.36), 0); }

}  // namespace

SvgChart::SvgChart(UtcTime t0, UtcTime t1, Axis left, std::optional<Axis> right, ChartSize size)
    : t0_(t0),
      t1_(t1 > t0 ? t1 : t0 + hours(1)),
      left_(std::move(left)),
      right_(std::move(right)),
      size_(size),
      plot_left_(LeftMargin(size)),
      plot_right_(size.width - (right_ ? LeftMargin(size) : 24)),
      plot_top_(TopMargin(size)),
      plot_bottom_(size.height - BottomMargin(size)) {}

double SvgChart::X(UtcTime t) const {
  const double f =
      static_cast<double>((t - t0_).count()) / static_cast<double>((t1_ - t0_).count());
  return plot_left_ + std::clamp(f, 0.0, 1.0) * (plot_right_ - plot_left_);
}

double SvgChart::Y(double v, bool on_right) const {
  const Axis& a = on_right && right_ ? *right_ : left_;
  return plot_bottom_ - a.Fraction(v) * (plot_bottom_ - plot_top_);
}

std::string SvgChart::Points(const std::vector<UtcTime>& t, const std::vector<double>& v,
                             bool on_right) const {
  std::string out;
  out.reserve(t.size() * 12);
  for (std::size_t i = 0; i < t.size() && i < v.size(); ++i) {
    AppendFixed(X(t[i]), 1, out);
    out += ',';
    AppendFixed(Y(v[i], on_right), 1, out);
    out += ' ';
  }
  if (!out.empty()) out.pop_back();
  return out;
}

void SvgChart::Area(const std::vector<UtcTime>& t, const std::vector<double>& v,
                    std::string_view colour, double opacity, std::string_view title,
                    bool on_right) {
  const std::size_t n = std::min(t.size(), v.size());
  if (n == 0) return;
  const std::string base = Fixed(Y(0, on_right), 1);
  body_ += fmt::format(
      "<polygon fill=\"{}\" fill-opacity=\"{}\" stroke=\"none\" points=\"{},{} {} {},{}\">"
      "<title>{}</title></polygon>\n",
      colour, Fixed(opacity, 2), Fixed(X(t[0]), 1), base, Points(t, v, on_right),
      Fixed(X(t[n - 1]), 1), base, HtmlEscape(title));
}

void SvgChart::Band(const std::vector<UtcTime>& t, const std::vector<double>& lo,
                    const std::vector<double>& hi, std::string_view colour, double opacity,
                    std::string_view title, bool on_right) {
  const std::size_t n = std::min({t.size(), lo.size(), hi.size()});
  if (n == 0) return;
  // Along the top edge, then back along the bottom one.
  const std::vector<UtcTime> there(t.begin(), t.begin() + n);
  const std::vector<UtcTime> back(there.rbegin(), there.rend());
  const std::vector<double> lo_back(lo.rbegin() + (lo.size() - n), lo.rend());
  body_ += fmt::format(
      "<polygon fill=\"{}\" fill-opacity=\"{}\" stroke=\"none\" points=\"{} {}\">"
      "<title>{}</title></polygon>\n",
      colour, Fixed(opacity, 2), Points(there, hi, on_right), Points(back, lo_back, on_right),
      HtmlEscape(title));
}

void SvgChart::Line(const std::vector<UtcTime>& t, const std::vector<double>& v,
                    std::string_view colour, double width, std::string_view dash,
                    std::string_view title, bool on_right) {
  if (t.empty() || v.empty()) return;
  body_ += fmt::format(
      "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} stroke-linejoin=\"round\" "
      "points=\"{}\"><title>{}</title></polyline>\n",
      colour, Fixed(width, 1),
      dash.empty() ? std::string() : fmt::format(" stroke-dasharray=\"{}\"", HtmlEscape(dash)),
      Points(t, v, on_right), HtmlEscape(title));
}

namespace {

std::string NoteText(double x, double y, std::string_view text) {
  return fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#666\">{}</text>\n",
      Fixed(x, 1), Fixed(y, 1), HtmlEscape(text));
}

// Grid lines and labels of a y axis on the left (or the right) of a plot.
std::string YAxisText(const Axis& a, bool on_right, const ChartSize& size, double plot_left,
                      double plot_right, const std::function<double(double)>& y) {
  std::string out;
  const double x = on_right ? plot_right + 6 : plot_left - 6;
  const char* anchor = on_right ? "start" : "end";
  for (std::size_t i = 0; i < a.ticks.size() && i < a.labels.size(); ++i) {
    const std::string at = Fixed(y(a.ticks[i]), 1);
    if (!on_right) {
      out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#e3e6ea\"/>\n",
                         Fixed(plot_left, 1), Fixed(plot_right, 1), at, at);
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" dy=\"{}\" text-anchor=\"{}\">{}</text>\n",
                       Fixed(x, 1), at, LabelDy(size), anchor, a.labels[i]);
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" class=\"axis-title\">{}</text>\n",
                     on_right ? Fixed(size.width - 8, 1) : "8", Fixed(size.font + 3, 0),
                     on_right ? "end" : "start", a.title);
  return out;
}

std::string SvgElement(const ChartSize& size, std::string_view label, const std::string& frame,
                       const std::string& body, double plot_left, double plot_top,
                       double plot_right, double plot_bottom) {
  return fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
      "font-size=\"{}\">\n"
      "{}{}<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n"
      "</svg>\n",
      Fixed(size.width, 0), Fixed(size.height, 0), HtmlEscape(label), Fixed(size.font, 0), frame,
      body, Fixed(plot_left, 1), Fixed(plot_top, 1), Fixed(plot_right - plot_left, 1),
      Fixed(plot_bottom - plot_top, 1));
}

}  // namespace

void SvgChart::Note(std::string_view text) {
  body_ += NoteText((plot_left_ + plot_right_) / 2, (plot_top_ + plot_bottom_) / 2, text);
}

std::string SvgChart::Frame() const {
  std::string out;
  for (bool on_right : {false, true}) {
    if (on_right && !right_) continue;
    out += YAxisText(on_right ? *right_ : left_, on_right, size_, plot_left_, plot_right_,
                     [&](double v) { return Y(v, on_right); });
  }
  // About one tick per 106 units: 9 across the default 960.
  const int max_ticks = std::max(3, static_cast<int>(std::lround(size_.width / 106)));
  for (const TimeTick& tick : TimeTicks(t0_, t1_, max_ticks)) {
    const std::string x = Fixed(X(tick.t), 1);
    out += fmt::format(
        "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#999\"/>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
        x, x, Fixed(plot_bottom_, 1), Fixed(plot_bottom_ + 4, 1), x,
        Fixed(plot_bottom_ + size_.font + 6, 1), HtmlEscape(tick.label));
  }
  return out;
}

std::string SvgChart::Svg(std::string_view label) const {
  return SvgElement(size_, label, Frame(), body_, plot_left_, plot_top_, plot_right_, plot_bottom_);
}

// ---- XyChart.

XyChart::XyChart(Axis x, Axis y, ChartSize size)
    : x_(std::move(x)),
      y_(std::move(y)),
      size_(size),
      plot_left_(LeftMargin(size)),
      plot_right_(size.width - 24),
      plot_top_(TopMargin(size)),
      // Tick labels, then the x axis title below them.
      plot_bottom_(size.height - BottomMargin(size) - size.font - 4) {}

double XyChart::X(double v) const {
  return plot_left_ + x_.Fraction(v) * (plot_right_ - plot_left_);
}

double XyChart::Y(double v) const {
  return plot_bottom_ - y_.Fraction(v) * (plot_bottom_ - plot_top_);
}

void XyChart::Bar(double x0, double x1, double y, std::string_view colour, std::string_view title) {
  const double left = X(std::min(x0, x1)), right = X(std::max(x0, x1));
  const double base = Y(std::max(0.0, y_.lo)), top = Y(y);
  body_ += fmt::format(
      "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\">"
      "<title>{}</title></rect>\n",
      Fixed(left, 1), Fixed(std::min(top, base), 1), Fixed(std::max(right - left, 0.0), 1),
      Fixed(std::fabs(base - top), 1), colour, HtmlEscape(title));
}

void XyChart::Marker(double x, std::string_view colour, std::string_view dash,
                     std::string_view label, std::string_view anchor) {
  const std::string at = Fixed(X(x), 1);
  body_ += fmt::format(
      "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"1.6\"{4}/>"
      "<text x=\"{0}\" y=\"{5}\" text-anchor=\"{6}\" fill=\"{3}\">{7}</text>\n",
      at, Fixed(plot_top_, 1), Fixed(plot_bottom_, 1), colour,
      dash.empty() ? std::string() : fmt::format(" stroke-dasharray=\"{}\"", HtmlEscape(dash)),
      Fixed(plot_top_ - 4, 1), HtmlEscape(anchor), HtmlEscape(label));
}

void XyChart::Point(double x, double y, std::string_view colour, std::string_view label) {
  const double px = X(x), py = Y(y);
  // Beside the dot, on the side with room; below earlier labels it would cover.
  const bool left_side = px > plot_right_ - (plot_right_ - plot_left_) * 0.3;
  double lx = left_side ? px - 10 : px + 10, ly = py + size_.font * 0.36;
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& [ox, oy] : label_at_) {
      if (std::fabs(ox - lx) < 16 * size_.font && std::fabs(oy - ly) < size_.font + 2) {
        ly = oy + size_.font + 3;
        moved = true;
      }
    }
  }
  label_at_.emplace_back(lx, ly);
  body_ += fmt::format(
      "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"1.5\"/>"
      "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-weight=\"600\">{}</text>\n",
      Fixed(px, 1), Fixed(py, 1), colour, Fixed(lx, 1), Fixed(ly, 1), left_side ? "end" : "start",
      HtmlEscape(label));
}

void XyChart::Note(std::string_view text) {
  body_ += NoteText((plot_left_ + plot_right_) / 2, (plot_top_ + plot_bottom_) / 2, text);
}

std::string XyChart::Frame() const {
  std::string out =
      YAxisText(y_, false, size_, plot_left_, plot_right_, [&](double v) { return Y(v); });
  for (std::size_t i = 0; i < x_.ticks.size() && i < x_.labels.size(); ++i) {
    const std::string x = Fixed(X(x_.ticks[i]), 1);
    out += fmt::format(
        "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#999\"/>"
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
        x, x, Fixed(plot_bottom_, 1), Fixed(plot_bottom_ + 4, 1), x,
        Fixed(plot_bottom_ + size_.font + 6, 1), x_.labels[i]);
  }
  out +=
      fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"axis-title\">{}</text>\n",
                  Fixed((plot_left_ + plot_right_) / 2, 1), Fixed(size_.height - 6, 1), x_.title);
  return out;
}

std::string XyChart::Svg(std::string_view label) const {
  return SvgElement(size_, label, Frame(), body_, plot_left_, plot_top_, plot_right_, plot_bottom_);
}

// ---- Figures.

std::string LayeredChart(const std::vector<Curve>& areas, const std::vector<Curve>& lines,
                         const std::function<std::string(double)>& tick_label,
                         std::string axis_title, std::string_view label) {
  std::vector<Curve> stacked = areas;
  for (std::size_t i = 1; i < stacked.size(); ++i) {
    for (std::size_t k = 0; k < stacked[i].values.size() && k < stacked[i - 1].values.size(); ++k) {
      stacked[i].values[k] += stacked[i - 1].values[k];
    }
  }
  std::optional<UtcTime> t0, t1;
  double lo = 0, hi = 0;
  std::vector<LegendItem> keys;
  for (const std::vector<Curve>* group :
       std::array<const std::vector<Curve>*, 2>{&stacked, &lines}) {
    for (const Curve& c : *group) {
      for (double v : c.values) lo = std::min(lo, Finite(v)), hi = std::max(hi, Finite(v));
      if (!c.times.empty()) {
        t0 = std::min(t0.value_or(c.times.front()), c.times.front());
        t1 = std::max(t1.value_or(c.times.back()), c.times.back());
      }
      keys.push_back(c.key);
    }
  }
  SvgChart chart(t0.value_or(UtcTime{}), t1.value_or(UtcTime{}),
                 LinearAxis(lo, hi, tick_label, std::move(axis_title)));
  if (!t0) chart.Note("no data");
  // The top of the stack first, so that each lower layer paints over it.
  for (auto c = stacked.rbegin(); c != stacked.rend(); ++c) {
    chart.Area(c->times, c->values, c->key.colour, 0.92, c->key.name);
  }
  for (const Curve& c : lines)
    chart.Line(c.times, c.values, c.key.colour, 1.7, c.key.dash, c.key.name);
  return chart.Svg(label) + Legend(keys);
}

std::string PriceChart(const std::vector<Curve>& prices, const Curve& area, std::string right_title,
                       std::string_view label, bool* log_axis) {
  double lo = 0, hi = 0, area_hi = 0;
  for (const Curve& c : prices) {
    for (double v : c.values) lo = std::min(lo, Finite(v)), hi = std::max(hi, Finite(v));
  }
  for (double v : area.values) area_hi = std::max(area_hi, Finite(v));
  *log_axis = hi > 300 || lo < -50;
  Axis left =
      *log_axis ? SymLogAxis(lo, hi, "$/MWh (log scale)") : LinearAxis(lo, hi, Money, "$/MWh");
  const UtcTime t0 = area.times.empty() ? UtcTime{} : area.times.front();
  SvgChart chart(t0, area.times.empty() ? t0 : area.times.back(), std::move(left),
                 LinearAxis(0, area_hi, TickLabel, std::move(right_title)));
  if (area.times.empty()) chart.Note("no data");
  chart.Area(area.times, area.values, area.key.colour, 0.35, area.key.name, true);
  std::vector<LegendItem> keys = {area.key};
  for (const Curve& c : prices) {
    chart.Line(c.times, c.values, c.key.colour, 1.2, c.key.dash, c.key.name);
    keys.push_back(c.key);
  }
  return chart.Svg(label) + Legend(keys);
}

std::string PriceBandTable(const std::vector<double>& price, const std::vector<double>& share,
                           double step_hours, std::string_view share_title) {
  constexpr std::array<double, 8> kEdges = {-1e300, 0, 25, 50, 100, 250, 1000, 1e300};
  struct Band {
    double hours = 0, price_h = 0, share_h = 0;
  };
  std::array<Band, kEdges.size() - 1> bands{};
  for (std::size_t k = 0; k < price.size(); ++k) {
    const double p = Finite(price[k]);
    std::size_t b = 0;
    while (b + 2 < kEdges.size() && p >= kEdges[b + 1]) ++b;
    bands[b].hours += step_hours;
    bands[b].price_h += p * step_hours;
    bands[b].share_h += (k < share.size() ? Finite(share[k]) : 0) * step_hours;
  }
  std::string out =
      "<table>\n" +
      Row({"Price band ($/MWh)", "Hours", "Mean price", HtmlEscape(share_title)}, 1, "", true);
  for (std::size_t b = 0; b < bands.size(); ++b) {
    if (bands[b].hours <= 0) continue;
    const std::string name = b == 0 ? "below $0"
                             : b + 1 == bands.size()
                                 ? Money(kEdges[b]) + " and above"
                                 : Money(kEdges[b]) + " to " + Money(kEdges[b + 1]);
    out += Row({name, HoursText(bands[b].hours), PriceText(bands[b].price_h / bands[b].hours),
                share.empty() ? "&ndash;" : Percent(bands[b].share_h / bands[b].hours)},
               1);
  }
  return out + "</table>\n";
}

}  // namespace mullet::report
