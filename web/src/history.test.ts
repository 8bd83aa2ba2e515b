import { describe, expect, it } from 'vitest';

import { DemoSite } from './fixtures';
import { History, StackedColumns } from './history';

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
    const [t, firm, batch, mining, unexplained, cap, metered] = StackedColumns(h.samples);
    expect(t).toEqual([Date.parse('2026-07-15T16:24:10Z') / 1000]);
    expect(firm).toEqual([1593.75]);
    expect(batch).toEqual([1593.75]);
    expect(mining).toEqual([3973.75]);
    expect(unexplained).toEqual([3998]);
    expect(cap).toEqual([4000]);
    expect(metered).toEqual([4585]);
  });
});
