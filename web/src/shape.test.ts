import { describe, expect, it } from 'vitest';

import { DemoSite } from './fixtures';
import {
  ShapeAlerts, ShapeDecisions, ShapeEvents, ShapeGroupHolds, ShapePowerStack, ShapeSources, ShapeTargets,
} from './shape';
import type { EventJson } from './api_types';

describe('ShapePowerStack', () => {
  it('StacksTiersBottomToTopWithHeadroomUnderTheCap', () => {
    const v = ShapePowerStack(DemoSite())!;
    expect(v.tiers.map((t) => t.key)).toEqual(['firm', 'batch', 'mining', 'unexplained', 'headroom']);
    expect(v.tiers.map((t) => t.w)).toEqual([1_593_750, 0, 2_380_000, 24_250, 2_000]);
    expect(v.expectedW).toBe(3_998_000);
    expect(v.capW).toBe(4e6);
    expect(v.headroomW).toBe(-585_000);  // metered, still ramping down
    expect(v.scaleW).toBe(6e6);
    expect(v.tiers[0].fraction).toBeCloseTo(1_593_750 / 6e6);
  });

  it('ShowsCoolingAsItsOwnTierWhereTheDaemonServesItApart', () => {
    const site = DemoSite();
    site.live!.tick!.tier_it_w = { firm: 1_275_000, batch: 0, mining: 2_200_000 };
    site.live!.tick!.cooling_w = 498_750;
    const v = ShapePowerStack(site)!;
    expect(v.tiers.map((t) => t.key)).toEqual(['firm', 'batch', 'mining', 'cooling', 'unexplained', 'headroom']);
    expect(v.tiers.map((t) => t.w)).toEqual([1_275_000, 0, 2_200_000, 498_750, 24_250, 2_000]);
    expect(v.tiers.reduce((sum, t) => sum + t.w, 0)).toBe(v.capW);  // the stack still fills the cap
  });

  it('ListsEveryLimitWithTheDrawAgainstItWhereServed', () => {
    const v = ShapePowerStack(DemoSite())!;
    expect(v.limits).toEqual([
      { name: 'interconnect', kind: 'interconnect', w: 6e6, drawW: 4_585_000 },
      { name: 'demand-response event', kind: 'event', w: 4e6, drawW: 4_585_000 },
      { name: 'feeder-mining', kind: 'domain', w: 4e6, drawW: 2_404_250 },
      { name: 'hall-ai', kind: 'domain', w: 2e6, drawW: 1_593_750 },
    ]);
  });

  it('ShowsADomainsLimitAloneBeforeTheLoopServesItsDraw', () => {
    const site = DemoSite();
    site.domains[1].draw_w = null;
    delete site.domains[0].draw_w;
    expect(ShapePowerStack(site)!.limits.slice(2).map((l) => l.drawW)).toEqual([null, null]);
  });

  it('NeverDrawsHeadroomBelowZero', () => {
    const site = DemoSite();
    site.live!.tick!.tier_w.mining = 5e6;
    expect(ShapePowerStack(site)!.tiers[4].w).toBe(0);
  });

  it('IsNullBeforeTheFirstTick', () => {
    const site = DemoSite();
    delete site.live!.tick;
    expect(ShapePowerStack(site)).toBeNull();
    site.live = null;
    expect(ShapePowerStack(site)).toBeNull();
  });
});

describe('ShapeAlerts', () => {
  it('SaysWhenOverOrNearALimit', () => {
    const site = DemoSite();
    expect(ShapeAlerts(site)).toEqual([{ level: 'critical', text: 'Over the demand-response event limit by 585.0 kW.' }]);
    site.live!.tick!.site_meter_w = 3_950_000;
    expect(ShapeAlerts(site)).toEqual([{ level: 'warn', text: 'Within 50.0 kW of the demand-response event limit.' }]);
    site.live!.tick!.site_meter_w = 3_000_000;
    expect(ShapeAlerts(site)).toEqual([]);
  });

  it('SaysWhenADomainIsOverOrNearItsLimit', () => {
    const site = DemoSite();
    site.live!.tick!.site_meter_w = 3e6;
    site.domains[1].draw_w = 1_990_000;
    expect(ShapeAlerts(site)).toEqual([{ level: 'warn', text: 'Within 10.0 kW of the hall-ai limit.' }]);
    site.domains[1].draw_w = 2_100_000;
    expect(ShapeAlerts(site)).toEqual([{ level: 'critical', text: 'Over the hall-ai limit by 100.0 kW.' }]);
  });

  it('RaisesAStaleSourceAndTheSafeAction', () => {
    const site = DemoSite();
    site.live!.tick!.site_meter_w = 3e6;
    site.live!.sources.price.stale = true;
    site.live!.sources.price.error = 'HTTP 503';
    site.live!.safe_action = 'curtail';
    expect(ShapeAlerts(site).map((a) => a.text)).toEqual([
      'Source price is stale: HTTP 503.',
      'Safe action in force: curtail.',
    ]);
  });
});

describe('ShapeSources', () => {
  it('NeverShowsAStaleSourceAsOk', () => {
    const site = DemoSite();
    site.live!.sources.meter.stale = true;  // read 2 s ago, but the loop counts it stale
    const v = ShapeSources(site);
    expect(v.map((s) => [s.name, s.status])).toEqual([
      ['fleet', 'never read'],
      ['meter', 'stale'],
      ['price', 'ok'],
    ]);
  });
});

describe('ShapeTargets', () => {
  it('CountsEveryStateWithPendingFromTheTick', () => {
    expect(ShapeTargets(DemoSite())).toEqual({
      pending: 3, dispatching: 0, dispatched: 58, confirmed: 300, drifted: 0, unavailable: 0,
    });
  });
});

function Event(over: Partial<EventJson>): EventJson {
  return {
    id: 1, type: 'reduce-to', kw: 4000, start: null, end: null, ramp_s: 0, source: 'api', source_id: 'k',
    created: '2026-07-15T16:24:09Z', created_by: 'token 2 (ops)', cancelled: null, active: false, ...over,
  };
}

describe('ShapeEvents', () => {
  it('OrdersActiveThenUpcomingThenPast', () => {
    const v = ShapeEvents(
      [
        Event({ id: 4, cancelled: '2026-07-15T16:25:00Z' }),
        Event({ id: 3, start: '2026-07-15T20:00:00Z', end: '2026-07-15T22:00:00Z' }),
        Event({ id: 2, end: '2026-07-15T16:00:00Z', start: '2026-07-15T15:00:00Z' }),
        Event({ id: 1, active: true, type: 'reduce-by', kw: 1500 }),
      ],
      '2026-07-15T16:30:00Z',
    );
    expect(v.map((e) => [e.id, e.status, e.cancellable])).toEqual([
      [1, 'active', true],
      [3, 'upcoming', true],
      [2, 'ended', false],
      [4, 'cancelled', false],
    ]);
    expect(v[0].what).toBe('reduce by 1,500 kW');
    expect(v[0].window).toBe('now until cancelled');
    expect(v[1].window).toBe('2026-07-15T20:00:00Z to 2026-07-15T22:00:00Z');
  });
});

describe('ShapeDecisions', () => {
  it('PutsEachReasonCodeInWords', () => {
    const site = DemoSite();
    const v = ShapeDecisions([site.live!.tick!], { 'dr-event': 'cut by a demand-response target' });
    expect(v).toEqual([
      { time: '2026-07-15T16:24:10Z', group: 's21', running: 600, reason: 'mine-full', meaning: 'mine-full', heldAt: null },
      {
        time: '2026-07-15T16:24:10Z', group: 's19xp', running: 42, reason: 'dr-event',
        meaning: 'cut by a demand-response target', heldAt: null,
      },
    ]);
  });
});

describe('ShapeGroupHolds', () => {
  it('ShowsEachGroupWithTheHoldInForceOnly', () => {
    const o = { until: null, created: '2026-07-15T16:00:00Z', created_by: 'token 2 (ops)' };
    const v = ShapeGroupHolds(DemoSite(), [
      { ...o, group: 's21', max_running: 100, active: true },
      { ...o, group: 's19xp', max_running: 0, active: false, until: '2026-07-15T16:10:00Z' },
    ]);
    expect(v).toEqual([
      { group: 's21', running: 600, heldAt: 100, until: null, by: 'token 2 (ops)' },
      { group: 's19xp', running: 42, heldAt: null, until: null, by: null },
    ]);
  });
});
