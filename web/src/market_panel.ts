// The market panel: the power price and hashprice the loop acts on, each
// miner group's breakeven at that hashprice (served by the daemon, the same
// figure the strike-price baseline uses), and the price chart under them.

import type { SiteJson } from './api_types';
import { h, Replace } from './dom';
import { FormatHashprice, FormatPrice } from './format';

export function MarketPanel(host: HTMLElement, site: SiteJson, chart: HTMLElement): void {
  const live = site.live;
  Replace(
    host,
    h('h2', {}, 'Market'),
    live
      ? h(
          'dl',
          { class: 'summary' },
          h('dt', {}, 'Power price'), h('dd', { id: 'price' }, FormatPrice(live.price_usd_per_mwh)),
          h('dt', {}, 'Hashprice'), h('dd', { id: 'hashprice' }, FormatHashprice(live.hashprice_usd_per_th_day)),
          h('dt', {}, 'Miners'), h('dd', {}, `${live.tick?.answered ?? 0} answering, ${live.tick?.silent ?? 0} silent of ${live.miners}`),
          h('dt', {}, 'Ticks'), h('dd', {}, `${live.ticks} (${live.tick_errors} failed), last ${live.last_tick_s.toFixed(2)} s`),
        )
      : h('p', {}, 'No control loop runs.'),
    live?.groups?.length
      ? h(
          'table',
          { id: 'breakevens' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Group'), h('th', { scope: 'col', class: 'num' }, 'J/TH'), h('th', { scope: 'col', class: 'num' }, 'Breakeven'))),
          h(
            'tbody',
            {},
            ...live.groups.map((g) =>
              h(
                'tr',
                { 'data-group': g.name, 'data-usd-per-mwh': g.breakeven_usd_per_mwh, class: g.breakeven_usd_per_mwh < live.price_usd_per_mwh ? 'over' : null },
                h('th', { scope: 'row' }, g.name),
                h('td', { class: 'num' }, g.j_per_th.toFixed(1)),
                h('td', { class: 'num' }, FormatPrice(g.breakeven_usd_per_mwh)),
              ),
            ),
          ),
        )
      : null,
    h('p', { class: 'help' }, 'Breakeven: the index price at which a group at nameplate just pays for its power at this hashprice (pool fee, uptime, cooling and the contract\'s adder included). Above it, the group loses money on each MWh.'),
    chart,
  );
}
