// A /api/v1/site reply of the demo site (examples/demo_site.yaml) under a
// reduce-to event, trimmed to what the dashboard reads; for the unit tests.

import type { SiteJson } from './api_types';

export function DemoSite(): SiteJson {
  return {
    name: 'Demo 6 MW hybrid',
    site_file: 'examples/demo_site.yaml',
    interconnect_w: 6e6,
    domains: [
      { name: 'feeder-mining', limit_w: 4e6, draw_w: 2_404_250, headroom_w: 1_595_750 },
      { name: 'hall-ai', limit_w: 2e6, draw_w: 1_593_750, headroom_w: 406_250 },
    ],
    started: '2026-07-15T16:20:00Z',
    now: '2026-07-15T16:24:12Z',
    live: {
      loop: true,
      miners: 1000,
      ticks: 42,
      tick_errors: 0,
      last_tick_s: 0.21,
      last_error: null,
      price_usd_per_mwh: 49.5,
      hashprice_usd_per_th_day: 0.0512,
      safe_action: null,
      sources: {
        price: { source: 'site file: fixed 45 USD/MWh', read_at: '2026-07-15T16:24:10Z', age_s: 2, stale: false, error: null },
        meter: { source: 'modbus 127.0.0.1:5020', read_at: '2026-07-15T16:24:10Z', age_s: 2, stale: false, error: null },
        fleet: { source: '1000 miners', read_at: null, age_s: null, stale: false, error: null },
      },
      targets: { confirmed: 300, dispatched: 58 },
      // 0.0512 x 1e6 / (24 x J/TH x 1.08) USD/MWh, no pool fee or adder.
      groups: [
        { name: 's21', j_per_th: 17.5, breakeven_usd_per_mwh: 112.8747795414462 },
        { name: 's19xp', j_per_th: 21.5, breakeven_usd_per_mwh: 91.87482055699108 },
      ],
      tick: {
        time: '2026-07-15T16:24:10Z',
        site_meter_w: 4_585_000,
        dr_limit_w: 4e6,
        four_cp_alert: null,
        site_cap_w: 4e6,
        expected_w: 3_998_000,
        tier_w: { firm: 1_593_750, batch: 0, mining: 2_380_000, unexplained: 24_250 },
        answered: 1000,
        silent: 0,
        pending: 3,
        groups: [
          { name: 's21', running: 600, reason: 'mine-full', deferred: 0, held_at: null },
          { name: 's19xp', running: 42, reason: 'dr-event', deferred: 3, held_at: null },
        ],
        headroom_w: -585_000,
        interconnect_w: 6e6,
      },
    },
  };
}
