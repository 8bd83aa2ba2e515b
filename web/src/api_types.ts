// The daemon's JSON as the dashboard reads it (docs/serve.md, "The API";
// /api/v1/openapi.json). Only the fields the dashboard uses; units in the names.

export interface SourceJson {
  source: string;
  read_at: string | null;
  age_s: number | null;
  stale: boolean;
  error: string | null;
}

export interface GroupDecisionJson {
  name: string;
  running: number;
  reason: string;
  deferred: number;
  held_at: number | null;
}

export interface TickJson {
  time: string;
  site_meter_w: number | null;
  dr_limit_w: number | null;
  four_cp_alert: string | null;
  site_cap_w: number;
  expected_w: number;
  ramping_down_w?: number;
  tier_w: { firm: number; batch: number; mining: number; unexplained: number };
  // The tiers' IT alone, and their cooling (the rest of tier_w); absent from older daemons.
  tier_it_w?: { firm: number; batch: number; mining: number };
  cooling_w?: number;
  swept?: boolean;
  answered: number;
  silent: number;
  slept?: number;
  woken?: number;
  pending?: number;
  targets?: Record<string, number>;
  groups: GroupDecisionJson[];
  headroom_w?: number;
  interconnect_w?: number;
}

export interface LiveJson {
  loop: boolean;
  miners: number;
  ticks: number;
  tick_errors: number;
  last_tick_s: number;
  last_error: string | null;
  price_usd_per_mwh: number;
  hashprice_usd_per_th_day: number;
  safe_action: string | null;
  sources: Record<string, SourceJson>;
  targets: Record<string, number>;
  // Each miner group's breakeven index price at the hashprice in force.
  groups?: { name: string; j_per_th: number; breakeven_usd_per_mwh: number }[];
  tick?: TickJson;
}

export interface SiteJson {
  name: string;
  site_file: string;
  interconnect_w: number;
  // Each power domain's limit and, once the loop has ticked, the facility
  // power the tick expects under it (its child domains included).
  domains: { name: string; limit_w: number; draw_w?: number | null; headroom_w?: number | null }[];
  started: string;
  now: string;
  live: LiveJson | null;
}

// What the store keeps of a demand-response event or a 4CP alert alike:
// when it runs, who asked, whether it was cancelled, whether it is in force.
export interface SourcedJson {
  id: number;
  start: string | null;
  end: string | null;
  source: string;
  source_id: string;
  created: string;
  created_by: string;
  cancelled: string | null;
  active: boolean;
}

export interface EventJson extends SourcedJson {
  type: 'reduce-to' | 'reduce-by';
  kw: number;
  ramp_s: number;
  // An event in force: miners commanded since it began, by target state.
  targets?: Record<string, number>;
}

export interface PreviewJson {
  cap_w: number;
  site_meter_w: number | null;
  expected_now_w: number;
  expected_after_w: number;
  shortfall_w: number;
  groups: { name: string; running_now: number; running_after: number; curtailed_w: number; reason: string }[];
  skipped: { what: string; w: number; why: string }[];
  sla_events: { what: string; cut_w: number; why: string }[];
  as_of: string;
}

export interface AuditJson {
  id: number;
  at: string;
  who: string;
  action: string;
  detail: unknown;
}

export type Role = 'viewer' | 'operator' | 'admin';

export interface WhoAmIJson {
  id: number;
  role: Role;
  label: string;
}

export interface OverrideJson {
  group: string;
  max_running: number;
  until: string | null;
  created: string;
  created_by: string;
  active: boolean;
}

export type DeviceState = 'hashing' | 'sleeping' | 'ramping' | 'unreachable' | 'faulty';

export interface DeviceJson {
  index: number;
  name: string;
  group: string;
  state: DeviceState;
  power_w: number | null;
  hashrate_th_s: number | null;
  target: string | null;
  command: 'sleep' | 'hash' | null;
  commanded_at: string | null;
}

export interface DeviceGroupJson {
  name: string;
  units: number;
  seen: number;
  counts: Record<DeviceState, number>;
}

// GET /api/v1/devices: a page of the fleet, with every group's counts.
export interface DevicesJson {
  as_of: string;
  total: number;
  offset: number;
  limit: number;
  groups: DeviceGroupJson[];
  devices: DeviceJson[];
}
