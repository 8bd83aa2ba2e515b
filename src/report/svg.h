// Building blocks of report.html that know nothing of backtests: text
// formatting and escaping, table rows, legends and the page's CSS,
// downsampling of per-step series, and small inline-SVG charts: over time
// (SvgChart) and of one number against another (XyChart).
//
// Everything here returns text that is safe to paste into HTML: strings from
// users go through HtmlEscape, and numbers are printed with a fixed number of
// decimals and never as NaN or infinity (non-finite inputs count as 0).

#ifndef MULLET_REPORT_SVG_H_
#define MULLET_REPORT_SVG_H_

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time/calendar.h"

namespace mullet::report {

// ---- Text.
// & < > " ' -> entities; for element text and attribute values alike.
std::string HtmlEscape(std::string_view text);
// 1234567.8 -> "1,234,568" (decimals 0), "1,234,567.80" (decimals 2).
std::string Grouped(double v, int decimals = 0);
// 1234567.4 -> "$1,234,567"; -1234 -> "-$1,234".
std::string Money(double usd);
// 2.5e6 -> "$2.5M", 350000 -> "$350k", -1.2e9 -> "-$1.2B": for axis ticks.
std::string MoneyShort(double usd);
// 0.8765 -> "87.65 %". With `precise`, up to 4 decimals, so that a fraction
// just below 1 never reads "100.00 %".
std::string Percent(double fraction, bool precise = false);
// v with `decimals` decimals; "0" style output for non-finite v.
std::string Fixed(double v, int decimals);
// v to `digits` significant digits, grouped, trailing zeros kept to the
// digits: 0.041532 -> "0.0415", 35.21 -> "35.2", 123456 -> "123,456" (whole
// numbers are never rounded to tens). For statistics of any magnitude.
std::string Significant(double v, int digits = 3);
// Hours, with two decimals only when they are not whole (sub-hourly steps).
std::string HoursText(double h);
// Money(usd) with a "+" on gains: a difference.
std::string SignedMoney(double usd);
// `magnitude_text` (the formatted v) with a "+" when v is positive and the text not zero.
std::string Signed(const std::string& magnitude_text, double v);
// 34.5 -> "$34.50": a power price.
std::string PriceText(double usd_per_mwh);
// Axis ticks in MW: 10 -> "10", 2.5 -> "2.5", 0.25 -> "0.25".
std::string TickLabel(double v);
// How much time one chart point covers: "each point covers one day (1,461 points)".
std::string PointSpan(std::size_t per_point, double step_hours, std::size_t points);

// ---- HTML pieces. Table cells are HTML already (escape user text first).
// One table row: the first `text_cols` and the last `trailing_text` cells are
// text, the others right-aligned numbers; `header` makes <th> cells.
std::string Row(const std::vector<std::string>& cells, std::size_t text_cols,
                std::string_view tr_class = "", bool header = false, std::size_t trailing_text = 0);
struct LegendItem {
  std::string_view colour;
  std::string name;            // plain text: Legend escapes it
  bool line = false;           // a line key, else a filled swatch
  std::string_view dash = "";  // the line's stroke-dasharray; "" solid, "2 3" dotted
};
std::string Legend(const std::vector<LegendItem>& items);
// The page's style sheet: system fonts only, nothing fetched.
std::string_view PageCss();

// ---- Downsampling.
// Steps per chart point so that `steps` steps give at most about
// `max_points` points. For steps of whole hours the result is a whole number
// of hours that divides a day or a whole number of days, so that points line
// up with calendar days (4 years hourly, 1500 points -> 24 = daily points).
std::size_t StepsPerPoint(std::size_t steps, double step_hours, std::size_t max_points);

// One chart point per `per_point` steps (the last may be shorter).
struct Downsampled {
  std::vector<UtcTime> times;  // start of each point's first step
  std::vector<double> mean, max;
};
Downsampled Downsample(const std::vector<UtcTime>& times, const std::vector<float>& v,
                       std::size_t per_point);

// ---- Axes.
enum class Scale {
  kLinear,
  kSymLog,  // sign(v) log10(1 + |v| / 10): linear near 0, logarithmic beyond
  kLog,     // log10(v), for quantities that move by factors; v <= 0 sits at the bottom
};
struct Axis {
  double lo = 0, hi = 1;
  Scale scale = Scale::kLinear;
  std::vector<double> ticks;
  std::vector<std::string> labels;  // one per tick, already escaped
  std::string title;                // "MW", "$/MWh"; already escaped
  // 0 at lo, 1 at hi; values outside are clipped to the frame.
  double Fraction(double v) const;
};
// About five round ticks covering [lo, hi] (an empty or inverted range is
// widened to one unit).
Axis LinearAxis(double lo, double hi, const std::function<std::string(double)>& label,
                std::string title);
// A symmetric-log axis for prices, ticks at 0, ±10, ±100, ±1000... and the
// 2 and 5 steps between where they fit; labels in dollars.
Axis SymLogAxis(double lo, double hi, std::string title);
// A log10 axis over [lo, hi] (lo > 0; a non-positive lo becomes hi / 10),
// widened to 1, 2 or 5 times a power of ten at each end; ticks at powers of
// ten and the 2 and 5 steps between where they do not crowd (with 1 to 9
// times when the range spans less than a factor of ten).
Axis LogAxis(double lo, double hi, const std::function<std::string(double)>& label,
             std::string title);

struct TimeTick {
  UtcTime t;
  std::string label;
};
// At most `max_ticks` round instants in [t0, t1]: hours, days, weeks, months
// or years, whichever fits.
std::vector<TimeTick> TimeTicks(UtcTime t0, UtcTime t1, int max_ticks);

// ---- Charts. A viewBox of `ChartSize` (the SVG scales to the width of its
// box); charts drawn side by side in a .grid use a narrower viewBox and a
// larger font, so that their text reads at the same size as a full-width one.
struct ChartSize {
  double width = 960, height = 300;  // the viewBox, in SVG units
  double font = 11;                  // font size of ticks and titles, in SVG units
};
// Half-width charts of a .grid.
inline constexpr ChartSize kGridChart = {600, 300, 13};

// Colours of the series a chart sets side by side (scenarios, decisions), in order.
inline constexpr std::array<std::string_view, 6> kSeriesColours = {"#1f3b73", "#f28e2b", "#159a9c",
                                                                   "#7b5ea7", "#8c6d31", "#d62728"};

// Time on x.
class SvgChart {
 public:
  // `right`: an optional second y axis. An empty time range is widened to an hour.
  SvgChart(UtcTime t0, UtcTime t1, Axis left, std::optional<Axis> right = std::nullopt,
           ChartSize size = {});

  // The area between 0 (or the axis bottom) and `v`. `title` is escaped.
  void Area(const std::vector<UtcTime>& t, const std::vector<double>& v, std::string_view colour,
            double opacity, std::string_view title, bool on_right = false);
  // The area between `lo` and `hi` (a band of percentiles). `title` is escaped.
  void Band(const std::vector<UtcTime>& t, const std::vector<double>& lo,
            const std::vector<double>& hi, std::string_view colour, double opacity,
            std::string_view title, bool on_right = false);
  // `dash`: an SVG stroke-dasharray ("6 4"), empty for a solid line.
  void Line(const std::vector<UtcTime>& t, const std::vector<double>& v, std::string_view colour,
            double width, std::string_view dash, std::string_view title, bool on_right = false);
  // Centred text over the plot, e.g. "no data"; escaped.
  void Note(std::string_view text);

  // The whole <svg> element; `label` (escaped) is its accessible name.
  std::string Svg(std::string_view label) const;

  static constexpr double kWidth = 960, kHeight = 300;  // the default ChartSize

 private:
  double X(UtcTime t) const;
  double Y(double v, bool on_right) const;
  std::string Points(const std::vector<UtcTime>& t, const std::vector<double>& v,
                     bool on_right) const;
  std::string Frame() const;

  UtcTime t0_, t1_;
  Axis left_;
  std::optional<Axis> right_;
  ChartSize size_;
  double plot_left_, plot_right_, plot_top_, plot_bottom_;
  std::string body_;
};

// Numbers on both axes: a histogram, a scatter.
class XyChart {
 public:
  XyChart(Axis x, Axis y, ChartSize size = {});

  // A bar from x0 to x1, from 0 (or the axis bottom) up to y: a <rect
  // class="bar">. `title` is escaped.
  void Bar(double x0, double x1, double y, std::string_view colour, std::string_view title);
  // A vertical line across the plot at x, `label` (escaped, short) above it,
  // anchored "start", "middle" or "end".
  void Marker(double x, std::string_view colour, std::string_view dash, std::string_view label,
              std::string_view anchor = "middle");
  // A dot at (x, y) with `label` (escaped) beside it, moved down when it
  // would cover an earlier label.
  void Point(double x, double y, std::string_view colour, std::string_view label);
  // Centred text over the plot, e.g. "no data"; escaped.
  void Note(std::string_view text);

  std::string Svg(std::string_view label) const;

 private:
  double X(double v) const;
  double Y(double v) const;
  std::string Frame() const;

  Axis x_, y_;
  ChartSize size_;
  double plot_left_, plot_right_, plot_top_, plot_bottom_;
  std::vector<std::pair<double, double>> label_at_;  // where Point put its labels
  std::string body_;
};

// ---- Figures: an <svg> and its legend.
// A series on a time axis, one value per chart point, and its legend key
// (key.line: drawn as a line, else as an area).
struct Curve {
  std::vector<UtcTime> times;
  std::vector<double> values;
  LegendItem key;
};
// Areas stacked in order (the first at the bottom), then lines over them, on
// one y axis from min(0, lowest) to the highest value. "no data" when empty.
std::string LayeredChart(const std::vector<Curve>& areas, const std::vector<Curve>& lines,
                         const std::function<std::string(double)>& tick_label,
                         std::string axis_title, std::string_view label);
// Price lines (left axis, $/MWh) over an area on a right axis. The price axis
// is symmetric-log when prices reach above $300 or below -$50 (*log_axis set),
// else linear; nothing is clipped.
std::string PriceChart(const std::vector<Curve>& prices, const Curve& area, std::string right_title,
                       std::string_view label, bool* log_axis);
// Hours, mean price and mean `share` (e.g. of miners running) by price band:
// below $0, $0-25, 25-50, 50-100, 100-250, 250-1000, $1,000 and above. Empty
// bands are left out; an empty `share` prints dashes.
std::string PriceBandTable(const std::vector<double>& price, const std::vector<double>& share,
                           double step_hours, std::string_view share_title);

}  // namespace mullet::report

#endif  // MULLET_REPORT_SVG_H_
