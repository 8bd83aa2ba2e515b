import { describe, expect, it } from 'vitest';

import type { DeviceGroupJson, DeviceJson } from './api_types';
import { DeviceCache, DevicesQuery, MoveRow, PagesFor, ShapeGroupStates, TotalStates, VisibleRows } from './devices';

function Rows(offset: number, n: number): DeviceJson[] {
  return Array.from({ length: n }, (_, k) => ({
    index: offset + k, name: `10.0.0.${offset + k}`, group: 's21', state: 'hashing', power_w: 3500,
    hashrate_th_s: 200, target: null, command: null, commanded_at: null,
  }));
}

describe('VisibleRows', () => {
  it('ShowsTheRowsInViewWithOverscanWithinTheFleet', () => {
    // 28 px rows, 280 px tall: rows 100..110 in view at 2,800 px.
    expect(VisibleRows(2800, 280, 28, 100_000, 5)).toEqual({ first: 95, last: 115 });
    expect(VisibleRows(0, 280, 28, 100_000, 5)).toEqual({ first: 0, last: 15 });
    expect(VisibleRows(28 * 99_995, 280, 28, 100_000, 5)).toEqual({ first: 99_990, last: 100_000 });
    expect(VisibleRows(0, 280, 28, 3, 5)).toEqual({ first: 0, last: 3 });
    expect(VisibleRows(0, 280, 28, 0)).toEqual({ first: 0, last: 0 });
  });

  it('RendersAScreenfulNotTheFleet', () => {
    const { first, last } = VisibleRows(1_400_000, 600, 28, 100_000);
    expect(last - first).toBeLessThanOrEqual(Math.ceil(600 / 28) + 16);
  });
});

describe('PagesFor', () => {
  it('NamesEachPageThatHoldsAVisibleRowOnce', () => {
    expect(PagesFor(95, 115, 100)).toEqual([0, 100]);
    expect(PagesFor(100, 200, 100)).toEqual([100]);
    expect(PagesFor(5, 5, 100)).toEqual([]);
  });
});

describe('DevicesQuery', () => {
  it('EncodesTheFilterAndThePage', () => {
    expect(DevicesQuery({ group: null, state: null }, 200, 100)).toBe('/api/v1/devices?offset=200&limit=100');
    expect(DevicesQuery({ group: 's19 j&pro', state: 'sleeping' }, 0, 50)).toBe('/api/v1/devices?offset=0&limit=50&group=s19+j%26pro&state=sleeping');
    expect(DevicesQuery({ group: null, state: null, domain: 'hall b' }, 0, 100)).toBe('/api/v1/devices?offset=0&limit=100&domain=hall+b');
    expect(DevicesQuery({ group: null, state: null, domain: null }, 0, 100)).toBe('/api/v1/devices?offset=0&limit=100');
  });
});

describe('DeviceCache', () => {
  it('ServesRowsOfPagesItHasAndNamesThoseItLacks', () => {
    const c = new DeviceCache({ group: null, state: null }, 100);
    expect(c.Missing(95, 115, 't1')).toEqual([0, 100]);
    c.Put(0, 't1', 1000, Rows(0, 100));
    expect(c.total).toBe(1000);
    expect(c.Row(99)?.index).toBe(99);
    expect(c.Row(100)).toBeNull();
    expect(c.Missing(95, 115, 't1')).toEqual([100]);
  });

  it('RefetchesAPageFromAnOlderSnapshotButShowsItMeanwhile', () => {
    const c = new DeviceCache({ group: 's21', state: null }, 100);
    c.Put(0, '2026-07-15T16:24:10Z', 600, Rows(0, 100));
    expect(c.Missing(0, 20, '2026-07-15T16:24:11Z')).toEqual([0]);
    expect(c.Row(5)?.index).toBe(5);
    // An older page arriving late does not move the total back.
    c.Put(0, '2026-07-15T16:24:11Z', 590, Rows(0, 100));
    c.Put(100, '2026-07-15T16:24:10Z', 600, Rows(100, 100));
    expect(c.total).toBe(590);
  });

  it('KeepsABoundedNumberOfPages', () => {
    const c = new DeviceCache({ group: null, state: null }, 100, 3);
    for (let p = 0; p < 1000; p += 100) c.Put(p, 't', 100_000, Rows(p, 100));
    expect(c.Row(0)).toBeNull();
    expect(c.Row(950)?.index).toBe(950);
    expect(c.Missing(700, 1000, 't')).toEqual([]);
    expect(c.Missing(600, 700, 't')).toEqual([600]);
  });
});

describe('MoveRow', () => {
  it('MovesByOneAScreenOrToTheEndsAndStaysInTheFleet', () => {
    expect(MoveRow(5, 'ArrowDown', 100, 10)).toBe(6);
    expect(MoveRow(0, 'ArrowUp', 100, 10)).toBe(0);
    expect(MoveRow(5, 'PageDown', 100, 10)).toBe(14);
    expect(MoveRow(95, 'PageDown', 100, 10)).toBe(99);
    expect(MoveRow(50, 'Home', 100, 10)).toBe(0);
    expect(MoveRow(50, 'End', 100, 10)).toBe(99);
    expect(MoveRow(50, 'a', 100, 10)).toBeNull();
    expect(MoveRow(0, 'ArrowDown', 0, 10)).toBeNull();
  });
});

describe('ShapeGroupStates', () => {
  const groups: DeviceGroupJson[] = [
    { name: 's21', units: 600, seen: 600, counts: { hashing: 420, sleeping: 150, ramping: 20, unreachable: 7, faulty: 3 } },
    { name: 's19xp', units: 400, seen: 380, counts: { hashing: 0, sleeping: 380, ramping: 0, unreachable: 0, faulty: 0 } },
  ];

  it('CountsEachGroupByStateAgainstItsUnits', () => {
    const v = ShapeGroupStates(groups);
    expect(v[0].parts).toEqual([
      { key: 'hashing', count: 420 }, { key: 'ramping', count: 20 }, { key: 'sleeping', count: 150 },
      { key: 'faulty', count: 3 }, { key: 'unreachable', count: 7 },
    ]);
    expect(v[0].hashingShare).toBeCloseTo(0.7);
    expect(v[1].seen).toBe(380);
    expect(v[1].units).toBe(400);
  });

  it('SumsTheFleet', () => {
    expect(TotalStates(groups)).toEqual({ hashing: 420, ramping: 20, sleeping: 530, faulty: 3, unreachable: 7 });
  });
});
