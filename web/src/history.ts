// The last few minutes of the power stack, as the chart draws them: one
// sample per tick, at most `capacity`, aggregated (one point per tick for the
// whole site, however many devices), stacked bottom to top. Pure.

import type { SiteJson } from './api_types';

export interface Sample {
  t: number; // seconds since the epoch
  firm: number;
  batch: number;
  mining: number;
  cooling: number; // 0 when the daemon folds it into the tiers
  unexplained: number;
  capW: number;
  meteredW: number | null;
  priceUsdPerMwh: number;
  breakevens: Record<string, number>; // USD/MWh by miner group, at the tick's hashprice
}

export class History {
  readonly samples: Sample[] = [];
  constructor(readonly capacity = 360) {}

  // Adds the site's last tick unless it is the one already last; returns
  // whether it added one.
  Add(site: SiteJson): boolean {
    const tick = site.live?.tick;
    if (!tick) return false;
    const t = Date.parse(tick.time) / 1000;
    const last = this.samples[this.samples.length - 1];
    if (last && last.t >= t) {
      if (last.t === t) this.samples[this.samples.length - 1] = ToSample(t, site);  // a confirm read within the tick
      return false;
    }
    this.samples.push(ToSample(t, site));
    if (this.samples.length > this.capacity) this.samples.splice(0, this.samples.length - this.capacity);
    return true;
  }
}

function ToSample(t: number, site: SiteJson): Sample {
  const tick = site.live!.tick!;
  const breakevens: Record<string, number> = {};
  for (const g of site.live!.groups ?? []) breakevens[g.name] = g.breakeven_usd_per_mwh;
  const it = tick.tier_it_w;
  const split = it !== undefined && tick.cooling_w !== undefined;
  const tiers = split
    ? { firm: it.firm, batch: it.batch, mining: it.mining, cooling: tick.cooling_w!, unexplained: tick.tier_w.unexplained }
    : { ...tick.tier_w, cooling: 0 };
  return { t, ...tiers, capW: tick.site_cap_w, meteredW: tick.site_meter_w, priceUsdPerMwh: site.live!.price_usd_per_mwh, breakevens };
}

// uPlot's columns of the price chart: time, the power price, then each
// group's breakeven (USD/MWh), `groups` in order; null where a sample has
// none for a group (it joined the site later).
export function PriceColumns(samples: Sample[], groups: string[]): (number | null)[][] {
  const cols: (number | null)[][] = [[], [], ...groups.map(() => [])];
  for (const s of samples) {
    cols[0].push(s.t);
    cols[1].push(s.priceUsdPerMwh);
    groups.forEach((g, k) => cols[2 + k].push(s.breakevens[g] ?? null));
  }
  return cols;
}

// uPlot's columns: time, then each tier stacked on those below it (kW), then
// the cap and the metered draw (kW).
export function StackedColumns(samples: Sample[]): (number | null)[][] {
  const cols: (number | null)[][] = [[], [], [], [], [], [], [], []];
  for (const s of samples) {
    const firm = s.firm / 1e3;
    const batch = firm + s.batch / 1e3;
    const mining = batch + s.mining / 1e3;
    const cooling = mining + s.cooling / 1e3;
    const unexplained = cooling + s.unexplained / 1e3;
    cols[0].push(s.t);
    cols[1].push(firm);
    cols[2].push(batch);
    cols[3].push(mining);
    cols[4].push(cooling);
    cols[5].push(unexplained);
    cols[6].push(s.capW / 1e3);
    cols[7].push(s.meteredW === null ? null : s.meteredW / 1e3);
  }
  return cols;
}
