import { describe, expect, it } from 'vitest';

import { DemoSite } from './fixtures';
import { History, PriceColumns, StackedColumns } from './history';

describe('History', () => {
  it('KeepsOneSamplePerTickUpToItsCapacity', () => {
    const h = new History(2);
    const site = DemoSite();
    expect(h.Add(site)).toBe(true);
    expect(h.Add(site)).toBe(false);  // the same tick (a confirm read): replaced, not added
    for (const time of ['2026-07-15T16:24:12Z', '2026-07-15T16:24:14Z']) {
      site.live!.tick!.time = time;
      expect(h.Add(site)).toBe(true);
    }
    expect(h.samples.map((s) => s.t)).toEqual([Date.parse('2026-07-15T16:24:12Z') / 1000, Date.parse('2026-07-15T16:24:14Z') / 1000]);
  });

  it('StacksTheTiersInKilowatts', () => {
    const h = new History();
    h.Add(DemoSite());
    const [t, firm, batch, mining, cooling, unexplained, cap, metered] = StackedColumns(h.samples);
    expect(t).toEqual([Date.parse('2026-07-15T16:24:10Z') / 1000]);
    expect(firm).toEqual([1593.75]);
    expect(batch).toEqual([1593.75]);
    expect(mining).toEqual([3973.75]);
    expect(cooling).toEqual([3973.75]);  // folded into the tiers by this daemon
    expect(unexplained).toEqual([3998]);
    expect(cap).toEqual([4000]);
    expect(metered).toEqual([4585]);
  });

  it('StacksCoolingApartWhereTheDaemonServesItApart', () => {
    const h = new History();
    const site = DemoSite();
    site.live!.tick!.tier_it_w = { firm: 1_275_000, batch: 0, mining: 2_200_000 };
    site.live!.tick!.cooling_w = 498_750;
    h.Add(site);
    const [, firm, batch, mining, cooling, unexplained] = StackedColumns(h.samples);
    expect(firm).toEqual([1275]);
    expect(batch).toEqual([1275]);
    expect(mining).toEqual([3475]);
    expect(cooling).toEqual([3973.75]);
    expect(unexplained).toEqual([3998]);  // the same top as the facility tiers'
  });

  it('DrawsThePriceAndEachGroupsBreakevenAsTheDaemonServesIt', () => {
    const h = new History();
    const site = DemoSite();
    h.Add(site);
    site.live!.tick!.time = '2026-07-15T16:24:20Z';
    site.live!.price_usd_per_mwh = 120;
    site.live!.hashprice_usd_per_th_day = 0.06;
    site.live!.groups = site.live!.groups!.map((g) => ({ ...g, breakeven_usd_per_mwh: (0.06 * 1e6) / (24 * g.j_per_th * 1.08) }));
    h.Add(site);
    const [t, price, s21, s19xp, gone] = PriceColumns(h.samples, ['s21', 's19xp', 'm60']);
    expect(t).toHaveLength(2);
    expect(price).toEqual([49.5, 120]);
    // The served figure, not one worked out again here.
    expect(s21[0]).toBe(112.8747795414462);
    expect(s21[1]).toBeCloseTo((0.06 * 1e6) / (24 * 17.5 * 1.08), 9);
    expect(s19xp[1]).toBeCloseTo((0.06 * 1e6) / (24 * 21.5 * 1.08), 9);
    expect(gone).toEqual([null, null]);
  });
});
