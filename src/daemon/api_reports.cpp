// /api/v1/reports and /reports/NAME/report.html: the reports of --reports
// (ApiHandler, api.h; reports.h finds and reads them).

#include "daemon/api.h"
#include "daemon/api_reply.h"
#include "core/text/untrusted_text.h"
#include "daemon/reports.h"

namespace mullet {

using namespace api_reply;  // NOLINT: the API's replies

ApiReply ApiHandler::ReportsRoute(const ApiRequest& request, std::string_view path) {
  const std::string& m = request.method;
  if (path == "/api/v1/reports") {
    if (auto no = OnlyMethods(m, {"GET", "HEAD"}, path)) return *no;
    if (site_.reports_dir.empty()) return Reply(200, json{{"reports", json::array()}, {"configured", false}});
    Result<std::vector<ReportEntry>> list = ListReports(site_.reports_dir);
    if (!list.ok()) return Error(503, list.status().message());
    json out = json::array();
    for (const ReportEntry& e : *list) {
      out.push_back({{"name", e.name},
                     {"kind", e.kind},
                     {"title", e.title},
                     {"modified", FormatUtc(e.modified)},
                     {"bytes", e.bytes},
                     {"href", "/reports/" + PercentEncoded(e.name) + "/report.html"}});
    }
    return Reply(200, json{{"reports", out}, {"configured", true}});
  }
  if (path.starts_with("/reports/")) {
    if (auto no = OnlyMethods(m, {"GET", "HEAD"}, path)) return *no;
    return ReportReply(path.substr(std::string_view("/reports/").size()));
  }
  return Error(404, "no route " + std::string(path));
}

// /reports/NAME/report.html: the report as its standalone file looks. It
// holds no script, so its policy allows none; its styles are inline.
ApiReply ApiHandler::ReportReply(std::string_view rest) {
  ApiReply reply(404, "text/plain; charset=utf-8", "not found\n");
  reply.headers = {{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}, {"Cache-Control", "no-cache"}};
  const std::size_t slash = rest.find('/');
  if (site_.reports_dir.empty() || slash == std::string_view::npos || rest.substr(slash) != "/report.html") return reply;
  const std::optional<std::string> name = PercentDecoded(rest.substr(0, slash), false);
  if (!name) return reply;
  Result<std::string> html = ReadReport(site_.reports_dir, *name);
  if (!html.ok()) {
    if (html.status().code() != StatusCode::kNotFound) reply = Error(503, html.status().message());
    return reply;
  }
  reply.status = 200;
  reply.content_type = "text/html; charset=utf-8";
  reply.body = *html;
  reply.headers.emplace_back("Content-Security-Policy",
                             "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                             "form-action 'none'; frame-ancestors 'self'; sandbox");
  return reply;
}

}  // namespace mullet
