// The device table's data, kept apart from the DOM (devices.test.ts): which
// rows a scroll position shows, which pages of /api/v1/devices they need, a
// cache of the pages fetched, keys that move through the rows, and each
// group's miners by state against its units. Pure.

import type { DeviceGroupJson, DeviceJson, DeviceState } from './api_types';

export const kDeviceStates: DeviceState[] = ['hashing', 'ramping', 'sleeping', 'faulty', 'unreachable'];

// Rows [first, last) a viewport shows, `overscan` rows either side, within
// [0, total).
export function VisibleRows(scrollTop: number, viewportH: number, rowH: number, total: number, overscan = 8): { first: number; last: number } {
  if (total <= 0 || rowH <= 0) return { first: 0, last: 0 };
  const top = Math.floor(Math.max(0, scrollTop) / rowH);
  const first = Math.max(0, top - overscan);
  const last = Math.min(total, top + Math.ceil(Math.max(0, viewportH) / rowH) + overscan);
  return { first: Math.min(first, last), last };
}

// The offsets of the pages of `pageSize` rows that hold rows [first, last).
export function PagesFor(first: number, last: number, pageSize: number): number[] {
  const out: number[] = [];
  if (last <= first || pageSize <= 0) return out;
  for (let p = Math.floor(first / pageSize) * pageSize; p < last; p += pageSize) out.push(p);
  return out;
}

// What a filter asks /api/v1/devices for; its key names a cache.
export interface DeviceFilter {
  group: string | null;
  state: DeviceState | null;
  domain?: string | null; // a power domain (a hall): the groups under it
}

export function DevicesQuery(filter: DeviceFilter, offset: number, limit: number): string {
  const q = new URLSearchParams();
  q.set('offset', String(offset));
  q.set('limit', String(limit));
  if (filter.group !== null) q.set('group', filter.group);
  if (filter.state !== null) q.set('state', filter.state);
  if (filter.domain) q.set('domain', filter.domain);
  return `/api/v1/devices?${q.toString()}`;
}

// Pages of one filter's rows as fetched, by offset, with the snapshot each
// came from. A page from an older snapshot is still shown (better than a
// blank row) but counts as missing, so it is fetched again.
export class DeviceCache {
  private pages = new Map<number, { asOf: string; rows: DeviceJson[] }>();
  total = 0;
  asOf = '';

  constructor(readonly filter: DeviceFilter, readonly pageSize = 100, readonly maxPages = 50) {}

  // Files a page; a newer snapshot's total replaces the old one.
  Put(offset: number, asOf: string, total: number, rows: DeviceJson[]): void {
    if (asOf >= this.asOf) {
      this.asOf = asOf;
      this.total = total;
    }
    this.pages.delete(offset);
    this.pages.set(offset, { asOf, rows });
    // Forget the pages used longest ago: scrolling 100,000 rows keeps at
    // most maxPages x pageSize of them.
    while (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
  }

  // Row `i`, or null while its page is not here.
  Row(i: number): DeviceJson | null {
    const offset = Math.floor(i / this.pageSize) * this.pageSize;
    const page = this.pages.get(offset);
    return page?.rows[i - offset] ?? null;
  }

  // Pages rows [first, last) need that are absent or from an older snapshot
  // than `asOf` (the latest the page has heard of).
  Missing(first: number, last: number, asOf: string): number[] {
    return PagesFor(first, last, this.pageSize).filter((p) => {
      const page = this.pages.get(p);
      return !page || page.asOf < asOf;
    });
  }
}

// Keys that move the active row: arrows by one, Page keys by a screen, Home
// and End to the ends. Null for any other key.
export function MoveRow(current: number, key: string, total: number, perScreen: number): number | null {
  if (total <= 0) return null;
  const step: Record<string, number> = {
    ArrowDown: 1,
    ArrowUp: -1,
    PageDown: Math.max(1, perScreen - 1),
    PageUp: -Math.max(1, perScreen - 1),
    Home: -Infinity,
    End: Infinity,
  };
  if (!(key in step)) return null;
  const next = current + step[key];
  return Math.max(0, Math.min(total - 1, Number.isFinite(next) ? next : next > 0 ? total - 1 : 0));
}

export interface GroupStatesView {
  name: string;
  units: number; // the group's units in the site file: its capacity
  seen: number; // miners the fleet has in it
  parts: { key: DeviceState; count: number }[]; // kDeviceStates order
  hashingShare: number; // hashing / units
}

// Each group's miners by state against its units, for the summary bars.
export function ShapeGroupStates(groups: DeviceGroupJson[]): GroupStatesView[] {
  return groups.map((g) => ({
    name: g.name,
    units: g.units,
    seen: g.seen,
    parts: kDeviceStates.map((key) => ({ key, count: g.counts[key] ?? 0 })),
    hashingShare: g.units > 0 ? (g.counts.hashing ?? 0) / g.units : 0,
  }));
}

// The whole fleet's counts by state (the groups summed).
export function TotalStates(groups: DeviceGroupJson[]): Record<DeviceState, number> {
  const out = Object.fromEntries(kDeviceStates.map((s) => [s, 0])) as Record<DeviceState, number>;
  for (const g of groups) for (const s of kDeviceStates) out[s] += g.counts[s] ?? 0;
  return out;
}
