#include "daemon/openapi.h"

namespace mullet {

std::string_view OpenApiDocument() {
  static constexpr std::string_view kDocument = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "mullet serve",
    "version": "1",
    "description": "The live controller of a hybrid Bitcoin-mining / AI site. Reads need no token; writes need a bearer token (`mullet token create --role operator`) and are recorded in the audit log. Times are UTC (ISO 8601, `Z`), power in kW or W as named. Paths outside /api/, /metrics and /healthz serve the dashboard (/)."
  },
  "servers": [{"url": "/"}],
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
      "EventRequest": {
        "type": "object",
        "additionalProperties": false,
        "required": ["type", "kw"],
        "properties": {
          "type": {"type": "string", "enum": ["reduce-to", "reduce-by"], "description": "reduce-to: the site draws at most kw; reduce-by: kw less than its draw when the event began"},
          "kw": {"type": "number", "minimum": 0, "maximum": 10000000},
          "start": {"type": "string", "format": "date-time", "description": "now when absent"},
          "end": {"type": "string", "format": "date-time", "description": "until cancelled when absent"},
          "ramp_s": {"type": "number", "minimum": 0, "maximum": 86400, "default": 0}
        }
      },
      "Event": {
        "type": "object",
        "properties": {
          "id": {"type": "integer"},
          "type": {"type": "string", "enum": ["reduce-to", "reduce-by"]},
          "kw": {"type": "number"},
          "start": {"type": "string", "format": "date-time", "nullable": true},
          "end": {"type": "string", "format": "date-time", "nullable": true},
          "ramp_s": {"type": "number"},
          "source": {"type": "string"},
          "source_id": {"type": "string"},
          "created": {"type": "string", "format": "date-time"},
          "created_by": {"type": "string"},
          "cancelled": {"type": "string", "format": "date-time", "nullable": true},
          "active": {"type": "boolean"},
          "targets": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "in GET /api/v1/events, for an event in force: the miners commanded since it began, by target state (dispatching, dispatched, confirmed, drifted, unavailable)"}
        }
      },
      "FourCpAlert": {
        "type": "object",
        "properties": {
          "id": {"type": "integer"},
          "start": {"type": "string", "format": "date-time", "nullable": true},
          "end": {"type": "string", "format": "date-time", "nullable": true},
          "source": {"type": "string"},
          "source_id": {"type": "string"},
          "created": {"type": "string", "format": "date-time"},
          "created_by": {"type": "string"},
          "cancelled": {"type": "string", "format": "date-time", "nullable": true},
          "active": {"type": "boolean"}
        }
      }
    },
    "responses": {
      "BadRequest": {"description": "the body or a parameter is invalid; the message names the field", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "no token, or an unknown or revoked one", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "the token's role may not do this", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "no such thing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "the body is over 64 KiB"},
      "TooMany": {"description": "over 20 requests a second from one address (bursts of 40)"}
    }
  },
  "paths": {
    "/healthz": {"get": {"summary": "200 `ok` while the daemon serves", "responses": {"200": {"description": "ok"}}}},
    "/metrics": {"get": {"summary": "Prometheus text: mullet_up, mullet_site_limit_watts{domain}, mullet_domain_power_watts{domain} (expected, children included), mullet_site_power_watts (metered), mullet_site_expected_watts, mullet_site_cap_watts, mullet_tier_power_watts{tier}, mullet_cooling_power_watts, mullet_miners{state}, mullet_targets{state}, mullet_tick_duration_seconds, mullet_ticks_total, mullet_source_age_seconds{source}, mullet_source_stale{source}, mullet_power_price_usd_per_mwh, mullet_hashprice_usd_per_th_day, mullet_events_active, mullet_four_cp_alert, mullet_uptime_seconds, mullet_api_replies_total{code}", "responses": {"200": {"description": "metrics"}}}},
    "/api/v1/openapi.json": {"get": {"summary": "this document", "responses": {"200": {"description": "OpenAPI 3.0"}}}},
    "/api/v1/site": {"get": {"summary": "the site: name, file, interconnect and power domains (W): each domain's limit_w, and draw_w (the facility power the last tick expects under it, its child domains included; serve meters the interconnect only, so it is the model's, unexplained load left out) and headroom_w (limit_w minus draw_w; both null before the first tick); `live`: the control loop's last tick (metered and expected power, the cap in force, headroom, power by tier (tier_w: facility, cooling included; tier_it_w: IT alone; cooling_w: the rest), miners answering, commands sent, targets by state, SLA events with their cost and the GPUs capped), the price and hashprice it acts on, each miner group's J/TH and breakeven index price at that hashprice (`groups[].breakeven_usd_per_mwh`: hashprice x uptime x (1 - pool fee) / (0.024 x J/TH x PUE), less the contract's adder), and each source's age", "responses": {"200": {"description": "the site"}}}},
    "/api/v1/stream": {"get": {"summary": "the site as /api/v1/site shows it, pushed as server-sent events (text/event-stream): `event: site` with the JSON on one data line, first at once and then each time the control loop publishes (a tick, a confirm read); a comment line after 15 s of quiet. A read: needs no token. At most 16 streams at once", "responses": {"200": {"description": "the stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}, "503": {"description": "too many open streams"}}}},
    "/api/v1/reasons": {"get": {"summary": "every reason code a decision may carry, with its meaning in words", "responses": {"200": {"description": "{\"reasons\": {code: meaning}}"}}}},
    "/api/v1/whoami": {"get": {"summary": "the token presented: its id, role (viewer, operator, admin) and label; how the dashboard knows what its user may do", "security": [{"bearer": []}], "responses": {"200": {"description": "id, role, label"}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
    "/api/v1/devices": {"get": {
      "summary": "the fleet miner by miner, a page at a time, as the control loop last saw it (after its last tick or confirm read): `total` miners that match the filters; each group's units and its miners by state (hashing, sleeping, ramping, unreachable, faulty: answers but is told to hash and is not after its ramp, or reports no hashrate); and the page, in fleet order: index, name (address), group, state, power_w and hashrate_th_s as last reported (null: none), target (dispatching, dispatched, confirmed, drifted, unavailable; null: never commanded), command (sleep, hash, null) and commanded_at. Needs a viewer's token (each miner's address is a map of the site's network)",
      "security": [{"bearer": []}],
      "parameters": [
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 100000000, "default": 0}, "description": "matching miners to skip"},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
        {"name": "group", "in": "query", "schema": {"type": "string"}, "description": "a miner group of the site, by name"},
        {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["hashing", "sleeping", "ramping", "unreachable", "faulty"]}},
        {"name": "domain", "in": "query", "schema": {"type": "string"}, "description": "a power domain (a hall): the miners of the groups under it, however deep (400 naming the site's domains when it is none of them)"}
      ],
      "responses": {"200": {"description": "as_of, total, offset, limit, groups (name, units, seen, counts by state), devices"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "503": {"description": "no control loop has swept the fleet yet"}}
    }},
    "/api/v1/ticks": {"get": {"summary": "the control loop's ticks, newest first: telemetry (metered, expected, cap, tiers), each miner group's decision with its reason code, and each firm tenant's SLA event (demand, served, GPUs capped, cap, cost)", "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}], "responses": {"200": {"description": "ticks"}, "400": {"$ref": "#/components/responses/BadRequest"}}}},
    "/api/v1/targets": {"get": {"summary": "the miners' targets (desired sleep or hash) by state: dispatching, dispatched, confirmed (measured), drifted (sent again), unavailable (not answering)", "parameters": [{"name": "state", "in": "query", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}], "responses": {"200": {"description": "counts by state and the first `limit` targets"}}}},
    "/api/v1/events": {
      "get": {
        "summary": "demand-response events, newest first",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
        "responses": {"200": {"description": "events", "content": {"application/json": {"schema": {"type": "object", "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}}}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}
      },
      "post": {
        "summary": "create an event (operator or admin)",
        "security": [{"bearer": []}],
        "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}, "description": "a retry with the same key returns the first event (200), not a second one"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventRequest"}}}},
        "responses": {
          "201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
          "200": {"description": "already created under this Idempotency-Key", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "413": {"$ref": "#/components/responses/TooLarge"},
          "429": {"$ref": "#/components/responses/TooMany"}
        }
      }
    },
    "/api/v1/events/preview": {
      "post": {
        "summary": "a dry run of an event (the body of POST /api/v1/events): what the policy would curtail if it began now, from the last tick's measurements; what it cannot curtail and why; any kW shortfall. Changes nothing; needs no token",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventRequest"}}}},
        "responses": {"200": {"description": "cap_w, expected_now_w, expected_after_w, shortfall_w, groups (running now and after, curtailed_w, reason), skipped (what, w, why), batch GPUs now and after"}, "400": {"$ref": "#/components/responses/BadRequest"}, "503": {"description": "no control loop has ticked yet"}}
      }
    },
    "/api/v1/events/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}],
      "get": {"summary": "one event", "responses": {"200": {"description": "the event", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}},
      "delete": {
        "summary": "cancel an event (operator or admin)",
        "security": [{"bearer": []}],
        "responses": {"200": {"description": "cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"description": "cancelled already"}}
      }
    },
    "/api/v1/four-cp-alerts": {
      "get": {
        "summary": "operators' 4CP alerts raised through the API, newest first, and whether the site has a 4CP charge for them to move",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
        "responses": {"200": {"description": "four_cp_charge, alerts", "content": {"application/json": {"schema": {"type": "object", "properties": {"four_cp_charge": {"type": "boolean"}, "alerts": {"type": "array", "items": {"$ref": "#/components/schemas/FourCpAlert"}}}}}}}, "400": {"$ref": "#/components/responses/BadRequest"}}
      },
      "post": {
        "summary": "raise a 4CP alert (operator or admin): while it is in force the loop weighs the site's 4CP charge as in an alert hour of its site file (mining curtailed unless it pays more than the peak's charge). It is kept in the store, so it survives a restart",
        "security": [{"bearer": []}],
        "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}, "description": "a retry with the same key returns the first alert (200), not a second one"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"start": {"type": "string", "format": "date-time", "description": "now when absent"}, "end": {"type": "string", "format": "date-time", "description": "until cancelled when absent"}}}}}},
        "responses": {
          "201": {"description": "raised", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FourCpAlert"}}}},
          "200": {"description": "already raised under this Idempotency-Key", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FourCpAlert"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "409": {"description": "the site file has no contract.four_cp charge"}, "413": {"$ref": "#/components/responses/TooLarge"}, "429": {"$ref": "#/components/responses/TooMany"}
        }
      }
    },
    "/api/v1/four-cp-alerts/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}],
      "get": {"summary": "one 4CP alert", "responses": {"200": {"description": "the alert", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FourCpAlert"}}}}, "404": {"$ref": "#/components/responses/NotFound"}}},
      "delete": {
        "summary": "cancel a 4CP alert (operator or admin)",
        "security": [{"bearer": []}],
        "responses": {"200": {"description": "cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FourCpAlert"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}, "409": {"description": "cancelled already"}}
      }
    },
    "/api/v1/overrides": {
      "get": {"summary": "operators' group overrides, with whether each is in force", "responses": {"200": {"description": "overrides"}}},
      "post": {
        "summary": "hold a miner group at or below max_running units (0: asleep) until `until` or until cleared; it never holds a group above what the policy wants (operator or admin)",
        "security": [{"bearer": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["group", "max_running"], "properties": {"group": {"type": "string"}, "max_running": {"type": "integer", "minimum": 0}, "until": {"type": "string", "format": "date-time"}}}}}},
        "responses": {"201": {"description": "set (replacing the group's earlier one)"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}
      }
    },
    "/api/v1/overrides/{group}": {
      "parameters": [{"name": "group", "in": "path", "required": true, "schema": {"type": "string"}}],
      "delete": {"summary": "clear a group's override (operator or admin)", "security": [{"bearer": []}], "responses": {"200": {"description": "cleared"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"$ref": "#/components/responses/NotFound"}}}
    },
    "/api/v1/policy": {
      "get": {"summary": "the policy parameters: the site file's and those in force", "responses": {"200": {"description": "parameters"}}},
      "put": {
        "summary": "change policy parameters on the running daemon (admin); fields left out keep their values; the loop applies them at its next tick",
        "security": [{"bearer": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"hysteresis_usd_per_mwh": {"type": "number", "minimum": 0, "maximum": 1000}, "reserve_fraction": {"type": "number", "minimum": 0, "maximum": 0.5}, "strike_windows": {"type": "integer", "minimum": 1, "maximum": 48}, "strike_window_h": {"type": "number", "minimum": 0.05, "maximum": 24}}}}}},
        "responses": {"200": {"description": "in force"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}
      }
    },
    "/api/v1/reports": {
      "get": {"summary": "the backtest and plan reports in the folder of `mullet serve --reports DIR`, newest first: each subfolder holding a report.html (what `mullet backtest --out` and `mullet plan --out` write), read again on each request; an empty list without --reports", "responses": {"200": {"description": "reports (name, kind: backtest, plan or report, title, modified, bytes, href: the name percent-encoded) and configured (whether --reports was given)"}, "503": {"description": "the folder cannot be read"}}}
    },
    "/reports/{name}/report.html": {
      "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
      "get": {"summary": "one report as its standalone HTML file looks (no script; its own strict content security policy)", "responses": {"200": {"description": "the report", "content": {"text/html": {"schema": {"type": "string"}}}}, "404": {"description": "no such report"}, "503": {"description": "the report cannot be read"}}}
    },
    "/api/v1/audit": {
      "get": {
        "summary": "the audit log, newest first (admin)",
        "security": [{"bearer": []}],
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
        "responses": {"200": {"description": "who did what, when"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}
      }
    }
  }
}
)json";
  return kDocument;
}

}  // namespace mullet
