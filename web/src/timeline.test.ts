import { describe, expect, it } from 'vitest';

import type { EventJson } from './api_types';
import { ShapeTimeline } from './timeline';

function Event(id: number, over: Partial<EventJson>): EventJson {
  return {
    id, type: 'reduce-to', kw: 1900, start: null, end: null, ramp_s: 0, source: 'api', source_id: `k${id}`,
    created: '2026-07-15T16:00:00Z', created_by: 'token 2 (ops)', cancelled: null, active: false, ...over,
  };
}

const now = '2026-07-15T16:30:00Z';

describe('ShapeTimeline', () => {
  it('PlacesActiveAndUpcomingEventsOnTheAxisAndLeavesTheRestOut', () => {
    const v = ShapeTimeline(
      [
        Event(1, { active: true, end: '2026-07-15T17:30:00Z', targets: { dispatched: 40, confirmed: 250 } }),
        Event(2, { start: '2026-07-15T19:00:00Z', end: '2026-07-15T20:00:00Z', type: 'reduce-by', kw: 500 }),
        Event(3, { start: '2026-07-15T15:00:00Z', end: '2026-07-15T16:00:00Z' }), // ended
        Event(4, { active: false, cancelled: '2026-07-15T16:10:00Z', start: '2026-07-15T18:00:00Z' }),
      ],
      now,
      7,
    );
    expect(v.items.map((i) => [i.id, i.status])).toEqual([[1, 'active'], [2, 'upcoming']]);
    // From 16:00 (half an hour before now) to 20:15 (the last end and a quarter).
    expect(v.fromMs).toBe(Date.parse('2026-07-15T16:00:00Z'));
    expect(v.toMs).toBe(Date.parse('2026-07-15T20:15:00Z'));
    const span = v.toMs - v.fromMs;
    expect(v.nowFraction).toBeCloseTo(30 / 255, 9);
    // The first began when it was created, 16:00, and ends 17:30.
    expect(v.items[0].left).toBe(0);
    expect(v.items[0].width).toBeCloseTo((90 * 60_000) / span, 9);
    expect(v.items[0].targets).toEqual({ pending: 7, dispatched: 40, confirmed: 250 });
    expect(v.items[1].left).toBeCloseTo(180 / 255, 9);
    expect(v.items[1].label).toBe('#2 reduce by 500 kW');
    expect(v.items[1].targets).toBeNull();
    // Over four hours in view: a mark every two.
    expect(v.ticks.map((t) => t.label)).toEqual(['16:00', '18:00', '20:00']);
  });

  it('RunsAnEventWithoutAnEndToTheEdgeAndKeepsAShortOneVisible', () => {
    const v = ShapeTimeline(
      [Event(5, { active: true }), Event(6, { start: '2026-07-15T17:00:00Z', end: '2026-07-15T17:00:05Z' })],
      now,
    );
    expect(v.items[0].open).toBe(true);
    expect(v.items[0].left + v.items[0].width).toBeCloseTo(1, 9);
    expect(v.items[1].width).toBeGreaterThanOrEqual(0.01);
    // At least two hours in view with nothing far ahead.
    expect(v.toMs - v.fromMs).toBe(2 * 3600_000);
  });

  it('KeepsAFarEventAtTheEdgeOfATwoDayAxis', () => {
    const v = ShapeTimeline([Event(7, { start: '2026-07-25T16:00:00Z', end: '2026-07-25T18:00:00Z' })], now);
    expect(v.toMs - v.fromMs).toBe(48 * 3600_000);
    expect(v.items[0].left).toBe(1);
  });
});
