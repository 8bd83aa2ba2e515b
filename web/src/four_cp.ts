// Operators' 4CP alerts raised through the API (GET /api/v1/four-cp-alerts):
// each one's state at the page's clock, and the body of a new one.

import type { SourcedJson } from './api_types';

// GET /api/v1/four-cp-alerts' rows: an event's fields without its kW.
export type FourCpAlertJson = SourcedJson;

export interface FourCpAlertsJson {
  four_cp_charge: boolean;
  alerts: FourCpAlertJson[];
}

export type AlertState = 'in force' | 'to come' | 'ended' | 'cancelled';

export interface AlertRow {
  id: number;
  state: AlertState;
  from: string;
  until: string;
  by: string;
  cancellable: boolean;
}

function Utc(t: string): string {
  return t.replace('T', ' ').replace(/:\d\dZ$/, ' UTC');
}

export function ShapeFourCpAlerts(list: FourCpAlertsJson, now: Date): AlertRow[] {
  return list.alerts.map((a) => {
    const start = new Date(a.start ?? a.created);
    const ended = a.end !== null && new Date(a.end) <= now;
    const state: AlertState = a.cancelled !== null ? 'cancelled' : a.active ? 'in force' : ended ? 'ended' : start > now ? 'to come' : 'ended';
    return {
      id: a.id,
      state,
      from: Utc(a.start ?? a.created),
      until: a.end ? Utc(a.end) : 'no end (until cancelled)',
      by: a.created_by,
      cancellable: state === 'in force' || state === 'to come',
    };
  });
}

// The body of POST /api/v1/four-cp-alerts from the form's two
// datetime-local fields (read as UTC); empty means now / until cancelled.
export function AlertBody(start: string, end: string): { body: { start?: string; end?: string } } | { error: string } {
  const body: { start?: string; end?: string } = {};
  const parse = (v: string): string | null => {
    const t = v.trim();
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(t)) return null;
    return `${t.length === 16 ? `${t}:00` : t}Z`;
  };
  if (start.trim()) {
    const s = parse(start);
    if (!s) return { error: `start: expected a UTC time such as 2026-08-10T20:00, got '${start}'` };
    body.start = s;
  }
  if (end.trim()) {
    const e = parse(end);
    if (!e) return { error: `end: expected a UTC time such as 2026-08-10T22:00, got '${end}'` };
    body.end = e;
  }
  if (body.start && body.end && body.end <= body.start) return { error: 'end: must be after start' };
  return { body };
}
