// Demand-response events on a time axis: those in force and those to come,
// from a little before now to the last end in view. Pure (timeline.test.ts).

import type { EventJson } from './api_types';

export interface TimelineItem {
  id: number;
  label: string; // "#3 reduce to 1,900 kW"
  status: 'active' | 'upcoming';
  left: number; // 0..1 along the axis
  width: number; // 0..1, at least kMinWidth so a short event stays visible
  open: boolean; // no end: runs until cancelled, past the axis
  start: string; // ISO, "now" for one that began when created
  end: string | null;
  // For an event in force: its miners' targets by state (the daemon's count
  // of commands given since it began), pending included.
  targets: Record<string, number> | null;
}

export interface TimelineView {
  fromMs: number;
  toMs: number;
  nowFraction: number;
  items: TimelineItem[];
  ticks: { fraction: number; label: string }[]; // hourly marks, "17:00"
}

const kBeforeMs = 30 * 60_000; // the axis starts half an hour before now
const kMinSpanMs = 2 * 3600_000; // and spans at least two hours
const kMaxSpanMs = 48 * 3600_000; // and at most two days: farther events sit at the edge
const kMinWidth = 0.01;

// `now` is the daemon's (site.now); `pending` the last tick's units waiting
// for pacing, which belong to the event in force.
export function ShapeTimeline(events: EventJson[], now: string, pending = 0): TimelineView {
  const nowMs = Date.parse(now);
  const live = events.filter((e) => !e.cancelled && (e.active || (e.start !== null && Date.parse(e.start) > nowMs)));
  const fromMs = nowMs - kBeforeMs;
  let toMs = nowMs + kMinSpanMs - kBeforeMs;
  for (const e of live) {
    const edge = e.end ? Date.parse(e.end) : e.start ? Date.parse(e.start) : nowMs;
    toMs = Math.max(toMs, edge + 15 * 60_000);
  }
  toMs = Math.min(toMs, fromMs + kMaxSpanMs);
  const span = toMs - fromMs;
  const at = (ms: number) => Math.max(0, Math.min(1, (ms - fromMs) / span));
  const items = live
    .map((e): TimelineItem => {
      const startMs = e.start ? Date.parse(e.start) : Date.parse(e.created);
      const endMs = e.end ? Date.parse(e.end) : toMs;
      const left = at(startMs);
      const kw = e.kw.toLocaleString('en-US', { maximumFractionDigits: 1 });
      const targets = e.active ? { pending, ...(e.targets ?? {}) } : null;
      return {
        id: e.id,
        label: `#${e.id} ${e.type === 'reduce-to' ? 'reduce to' : 'reduce by'} ${kw} kW`,
        status: e.active ? 'active' : 'upcoming',
        left,
        width: Math.max(kMinWidth, at(endMs) - left),
        open: e.end === null,
        start: e.start ?? e.created,
        end: e.end,
        targets,
      };
    })
    .sort((a, b) => a.left - b.left || a.id - b.id);
  const ticks: TimelineView['ticks'] = [];
  const hour = 3600_000;
  const step = span > 12 * hour ? 6 * hour : span > 4 * hour ? 2 * hour : hour;
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) {
    ticks.push({ fraction: at(t), label: new Date(t).toISOString().slice(11, 16) });
  }
  return { fromMs, toMs, nowFraction: at(nowMs), items, ticks };
}
