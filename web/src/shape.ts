// The daemon's JSON shaped into what each panel of the dashboard shows. Pure:
// no DOM, no fetch, no clock but the one passed in; every rule of what is
// shown (a stale source is never "ok", headroom is never drawn below zero, an
// alert when a limit is near) lives here and is tested in shape.test.ts.

import type { EventJson, OverrideJson, SiteJson, SourceJson, TickJson } from './api_types';

export type TierKey = 'firm' | 'batch' | 'mining' | 'cooling' | 'unexplained' | 'headroom';

export interface TierView {
  key: TierKey;
  label: string;
  w: number;
  fraction: number; // of the bar's scale: the larger of the interconnect and the draw
}

export interface LimitView {
  name: string;
  kind: 'interconnect' | 'cap' | 'event' | 'domain';
  w: number;
  // The draw against it when the API says it: a domain's is the expected
  // draw under it (no domain is metered apart); null before the first tick.
  drawW: number | null;
}

export interface PowerStackView {
  tickTime: string;
  tiers: TierView[]; // firm, batch, mining (IT), cooling, unexplained, headroom: bottom to top
  expectedW: number;
  meteredW: number | null;
  capW: number;
  interconnectW: number;
  headroomW: number; // cap minus the metered draw (expected without a meter); may be negative
  limits: LimitView[];
  scaleW: number;
}

export const kTierLabels: Record<TierKey, string> = {
  firm: 'Firm AI',
  batch: 'Deferrable batch',
  mining: 'Mining',
  cooling: 'Cooling',
  unexplained: 'Unexplained',
  headroom: 'Headroom',
};

// Alert when the headroom under the binding cap falls below this share of it.
export const kNearLimitFraction = 0.03;

// The power stack of the last tick; null before the loop's first tick.
export function ShapePowerStack(site: SiteJson): PowerStackView | null {
  const tick = site.live?.tick;
  if (!tick) return null;
  const t = tick.tier_w;
  const expectedW = t.firm + t.batch + t.mining + t.unexplained;
  const drawing = tick.site_meter_w ?? tick.expected_w;
  const headroomW = tick.headroom_w ?? tick.site_cap_w - drawing;
  const scaleW = Math.max(site.interconnect_w, tick.site_cap_w, expectedW, drawing, 1);
  // Each load's IT, then the cooling of them all as its own tier (a daemon
  // that does not split them: each tier with its cooling, none apart).
  const it = tick.tier_it_w;
  const cooling = tick.cooling_w;
  const split = it !== undefined && cooling !== undefined;
  const stacked: [TierKey, number][] = [
    ['firm', split ? it.firm : t.firm],
    ['batch', split ? it.batch : t.batch],
    ['mining', split ? it.mining : t.mining],
    ...(split ? ([['cooling', cooling]] as [TierKey, number][]) : []),
    ['unexplained', t.unexplained],
    ['headroom', Math.max(0, tick.site_cap_w - expectedW)],
  ];
  const tiers = stacked.map(([key, w]) => ({ key, label: kTierLabels[key], w, fraction: Math.max(0, w) / scaleW }));
  const limits: LimitView[] = [{ name: 'interconnect', kind: 'interconnect', w: site.interconnect_w, drawW: drawing }];
  if (tick.dr_limit_w !== null) limits.push({ name: 'demand-response event', kind: 'event', w: tick.dr_limit_w, drawW: drawing });
  if (tick.site_cap_w !== site.interconnect_w && tick.site_cap_w !== tick.dr_limit_w) {
    limits.push({ name: 'cap in force', kind: 'cap', w: tick.site_cap_w, drawW: drawing });
  }
  for (const d of site.domains) limits.push({ name: d.name, kind: 'domain', w: d.limit_w, drawW: d.draw_w ?? null });
  return {
    tickTime: tick.time,
    tiers,
    expectedW,
    meteredW: tick.site_meter_w,
    capW: tick.site_cap_w,
    interconnectW: site.interconnect_w,
    headroomW,
    limits,
    scaleW,
  };
}

export interface AlertView {
  level: 'warn' | 'critical';
  text: string;
}

// What needs a person's eyes now: a draw over or near a limit, a stale
// source, a safe action in force, a failing tick.
export function ShapeAlerts(site: SiteJson): AlertView[] {
  const out: AlertView[] = [];
  const live = site.live;
  if (!live) return [{ level: 'warn', text: 'No control loop runs: the API alone.' }];
  const stack = ShapePowerStack(site);
  if (stack) {
    for (const l of stack.limits) {
      if (l.drawW === null || l.w <= 0) continue;
      const room = l.w - l.drawW;
      if (room < 0) {
        out.push({ level: 'critical', text: `Over the ${l.name} limit by ${(-room / 1e3).toFixed(1)} kW.` });
      } else if (room < kNearLimitFraction * l.w) {
        out.push({ level: 'warn', text: `Within ${(room / 1e3).toFixed(1)} kW of the ${l.name} limit.` });
      }
    }
  }
  for (const s of ShapeSources(site)) {
    if (s.status === 'stale') out.push({ level: 'critical', text: `Source ${s.name} is stale${s.error ? `: ${s.error}` : ''}.` });
  }
  if (live.safe_action) out.push({ level: 'critical', text: `Safe action in force: ${live.safe_action}.` });
  if (live.last_error) out.push({ level: 'warn', text: `Last tick failed: ${live.last_error}` });
  return out;
}

export interface SourceView {
  name: string;
  source: string;
  status: 'ok' | 'stale' | 'never read';
  ageS: number | null;
  error: string | null;
}

// Each input's health. Stale wins over everything: a stale feed is never
// shown as ok, whatever its age says.
export function ShapeSources(site: SiteJson): SourceView[] {
  const sources: Record<string, SourceJson> = site.live?.sources ?? {};
  return Object.keys(sources)
    .sort()
    .map((name) => {
      const s = sources[name];
      const status: SourceView['status'] = s.stale ? 'stale' : s.read_at === null ? 'never read' : 'ok';
      return { name, source: s.source, status, ageS: s.age_s, error: s.error };
    });
}

// The states a miner's target moves through (docs/serve.md, "Targets"), in
// the order the dashboard shows them; pending: wanted moved, waiting for pacing.
export const kTargetStates = ['pending', 'dispatching', 'dispatched', 'confirmed', 'drifted', 'unavailable'] as const;
export type TargetState = (typeof kTargetStates)[number];

export function ShapeTargets(site: SiteJson): Record<TargetState, number> {
  const out = Object.fromEntries(kTargetStates.map((s) => [s, 0])) as Record<TargetState, number>;
  const live = site.live;
  if (!live) return out;
  for (const s of kTargetStates) out[s] = live.targets[s] ?? 0;
  out.pending = live.tick?.pending ?? 0;
  return out;
}

export interface EventView {
  id: number;
  what: string; // "reduce to 4,000 kW"
  window: string; // "now until cancelled", "20:00:00Z to 22:00:00Z"
  status: 'active' | 'upcoming' | 'ended' | 'cancelled';
  createdBy: string;
  cancellable: boolean;
}

// Events as the events panel lists them: active first, then upcoming, then
// the rest newest first. `now` is the daemon's (site.now), not the browser's.
export function ShapeEvents(events: EventJson[], now: string): EventView[] {
  const nowMs = Date.parse(now);
  const rank = { active: 0, upcoming: 1, ended: 2, cancelled: 3 } as const;
  const views = events.map((e): EventView => {
    let status: EventView['status'];
    if (e.cancelled) status = 'cancelled';
    else if (e.active) status = 'active';
    else if (e.start && Date.parse(e.start) > nowMs) status = 'upcoming';
    else status = 'ended';
    const kw = e.kw.toLocaleString('en-US', { maximumFractionDigits: 1 });
    return {
      id: e.id,
      what: `${e.type === 'reduce-to' ? 'reduce to' : 'reduce by'} ${kw} kW`,
      window: `${e.start ?? 'now'} to ${e.end ?? 'until cancelled'}`.replace('to until', 'until'),
      status,
      createdBy: e.created_by,
      cancellable: status === 'active' || status === 'upcoming',
    };
  });
  return views.sort((a, b) => rank[a.status] - rank[b.status] || b.id - a.id);
}

export interface DecisionView {
  time: string;
  group: string;
  running: number;
  reason: string;
  meaning: string;
  heldAt: number | null;
}

// Each group's decision in each tick, newest first, with the reason code in
// words (the daemon's own meanings, GET /api/v1/reasons).
export function ShapeDecisions(ticks: TickJson[], meanings: Record<string, string>): DecisionView[] {
  const out: DecisionView[] = [];
  for (const t of ticks) {
    for (const g of t.groups ?? []) {
      out.push({
        time: t.time,
        group: g.name,
        running: g.running,
        reason: g.reason,
        meaning: meanings[g.reason] ?? g.reason,
        heldAt: g.held_at,
      });
    }
  }
  return out;
}

export interface GroupHoldView {
  group: string;
  running: number | null; // what the policy has hashing now; null before a tick
  heldAt: number | null; // an operator's override in force: at most this many hashing
  until: string | null;
  by: string | null;
}

// Each miner group with the operator's hold on it, if one is in force. The
// groups are the last tick's (the site's, in its file's order).
export function ShapeGroupHolds(site: SiteJson, overrides: OverrideJson[]): GroupHoldView[] {
  const groups = site.live?.tick?.groups ?? [];
  const names = groups.map((g) => g.name);
  for (const o of overrides) if (!names.includes(o.group)) names.push(o.group);
  return names.map((group) => {
    const g = groups.find((x) => x.name === group);
    const o = overrides.find((x) => x.group === group && x.active);
    return {
      group,
      running: g ? g.running : null,
      heldAt: o ? o.max_running : null,
      until: o ? o.until : null,
      by: o ? o.created_by : null,
    };
  });
}
