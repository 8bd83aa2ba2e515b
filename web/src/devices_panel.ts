// The devices panel: each group's miners by state against its units, a
// drill-down from the fleet to a group (and a state) to one device, and a
// virtualised table: only the rows in view are in the DOM, fetched a page
// of /api/v1/devices at a time as the table scrolls, so 100,000 miners cost
// what a screenful does. Keyboard: Tab into the table, arrows, Page Up/Down,
// Home/End move the active row; Enter opens it.

import { Api } from './api';
import type { DeviceJson, DeviceState, DevicesJson } from './api_types';
import { SplitBar } from './bars';
import { DeviceCache, DevicesQuery, kDeviceStates, MoveRow, ShapeGroupStates, TotalStates, VisibleRows, type DeviceFilter } from './devices';
import { h, Replace } from './dom';
import { ClockOf, FormatPower } from './format';

const kRowH = 30; // px; style.css's .vrow height
const kPageSize = 100;

export class DevicesPanel {
  readonly root = h('section', { class: 'panel wide', id: 'devices', 'aria-labelledby': 'devices-h' });
  private readonly summary = h('div', { id: 'device-groups' });
  private readonly crumbs = h('nav', { class: 'crumbs', id: 'device-crumbs', 'aria-label': 'Devices shown' });
  private readonly stateSelect = h('select', { id: 'device-state' });
  private readonly domainSelect = h('select', { id: 'device-domain' });
  private domains = '';
  private readonly viewport = h('div', {
    class: 'vtable',
    id: 'device-table',
    role: 'grid',
    tabindex: 0,
    'aria-label': 'Miners',
    'aria-rowcount': 0,
  });
  private readonly spacer = h('div', { class: 'vspacer' });
  private readonly rows = h('div', { class: 'vrows', role: 'rowgroup' });
  private readonly detail = h('div', { id: 'device-detail', 'aria-live': 'polite' });
  private cache = new DeviceCache({ group: null, state: null }, kPageSize);
  private latest = ''; // the newest snapshot heard of
  private active = 0;
  private opening: number | null = null; // a row asked for whole before its page came
  private inflight = new Set<number>();
  private frame = 0;

  constructor() {
    this.stateSelect.append(h('option', { value: '' }, 'all states'), ...kDeviceStates.map((s) => h('option', { value: s }, s)));
    this.stateSelect.addEventListener('change', () => this.SetFilter({ ...this.cache.filter, state: (this.stateSelect.value || null) as DeviceState | null }));
    this.domainSelect.append(h('option', { value: '' }, 'every hall'));
    this.domainSelect.addEventListener('change', () => this.SetFilter({ group: null, state: this.cache.filter.state, domain: this.domainSelect.value || null }));
    this.viewport.append(this.spacer, this.rows);
    this.viewport.addEventListener('scroll', () => this.Schedule());
    this.viewport.addEventListener('keydown', (ev) => this.OnKey(ev));
    const header = h(
      'div',
      { class: 'vrow vhead', role: 'row' },
      ...['Miner', 'Group', 'State', 'Power', 'TH/s', 'Target', 'Commanded'].map((c, i) => h('div', { role: 'columnheader', class: `vc vc${i}${i === 3 || i === 4 ? ' num' : ''}` }, c)),
    );
    Replace(
      this.root,
      h('h2', { id: 'devices-h' }, 'Devices'),
      this.summary,
      h('div', { class: 'row' }, this.crumbs, h('label', { for: 'device-domain' }, 'Hall'), this.domainSelect, h('label', { for: 'device-state' }, 'State'), this.stateSelect),
      header,
      this.viewport,
      this.detail,
    );
  }

  // The site's power domains, to drill down by hall (the API's miners of
  // the groups under one); kept as they are unless the names change.
  SetDomains(names: string[]): void {
    const key = names.join('\n');
    if (key === this.domains) return;
    this.domains = key;
    Replace(this.domainSelect, h('option', { value: '' }, 'every hall'), ...names.map((n) => h('option', { value: n }, n)));
    this.domainSelect.value = this.cache.filter.domain ?? '';
  }

  // A tick or a confirm read: the counts, and the rows in view, again.
  async Refresh(): Promise<void> {
    const c = this.cache;
    const { first } = this.Visible();
    const offset = Math.floor(first / kPageSize) * kPageSize;
    try {
      const page = await Api<DevicesJson>('GET', DevicesQuery(c.filter, offset, kPageSize));
      if (c !== this.cache) return;
      this.latest = page.as_of;
      c.Put(offset, page.as_of, page.total, page.devices);
      this.RenderSummary(page);
      this.Render();
      this.FetchMissing();
    } catch (e) {
      Replace(this.summary, h('p', { class: 'help' }, `Devices: ${(e as Error).message}`));
    }
  }

  private SetFilter(filter: DeviceFilter): void {
    this.cache = new DeviceCache(filter, kPageSize);
    this.inflight.clear();
    this.active = 0;
    this.opening = null;
    this.viewport.scrollTop = 0;
    this.stateSelect.value = filter.state ?? '';
    this.domainSelect.value = filter.domain ?? '';
    Replace(this.detail);
    this.RenderCrumbs();
    void this.Refresh();
  }

  private RenderCrumbs(): void {
    const f = this.cache.filter;
    const all = h('button', { type: 'button', class: 'link', id: 'crumb-fleet', 'aria-current': f.group === null ? 'true' : null }, 'Fleet');
    all.addEventListener('click', () => this.SetFilter({ group: null, state: f.state }));
    Replace(
      this.crumbs,
      all,
      f.domain ? h('span', { id: 'crumb-domain', 'aria-current': f.group === null ? 'true' : null }, ` › ${f.domain}`) : null,
      f.group !== null ? h('span', { id: 'crumb-group', 'aria-current': 'true' }, ` › ${f.group}`) : null,
      ` (${this.cache.total.toLocaleString('en-US')} shown)`,
    );
  }

  private RenderSummary(page: DevicesJson): void {
    const totals = TotalStates(page.groups);
    const rows = ShapeGroupStates(page.groups).map((g) => {
      const open = h('button', { type: 'button', class: 'link', 'data-group': g.name }, g.name);
      open.addEventListener('click', () => this.SetFilter({ group: g.name, state: this.cache.filter.state, domain: this.cache.filter.domain ?? null }));
      return h(
        'tr',
        { 'data-group': g.name },
        h('th', { scope: 'row' }, open),
        ...g.parts.map((p) => h('td', { class: 'num', 'data-state': p.key }, p.count.toLocaleString('en-US'))),
        h('td', { class: 'num' }, g.units.toLocaleString('en-US')),
        h('td', { class: 'barcell' }, SplitBar(g.parts, Math.max(g.units, g.seen), `${g.name}: ${g.parts.map((p) => `${p.count} ${p.key}`).join(', ')} of ${g.units} units`)),
      );
    });
    Replace(
      this.summary,
      h(
        'table',
        { id: 'device-group-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Group'), ...kDeviceStates.map((s) => h('th', { scope: 'col', class: 'num' }, s)), h('th', { scope: 'col', class: 'num' }, 'units'), h('th', { scope: 'col' }, 'against its units'))),
        h('tbody', {}, ...rows),
        h('tfoot', {}, h('tr', { id: 'device-totals' }, h('th', { scope: 'row' }, 'Fleet'), ...kDeviceStates.map((s) => h('td', { class: 'num', 'data-state': s }, totals[s].toLocaleString('en-US'))), h('td', { class: 'num' }, page.groups.reduce((n, g) => n + g.units, 0).toLocaleString('en-US')), h('td', { class: 'help' }, `as of ${ClockOf(page.as_of)}`))),
      ),
    );
    this.RenderCrumbs();
  }

  private Visible(): { first: number; last: number } {
    return VisibleRows(this.viewport.scrollTop, this.viewport.clientHeight || 10 * kRowH, kRowH, this.cache.total);
  }

  private Schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.Render();
      this.FetchMissing();
    });
  }

  private FetchMissing(): void {
    const c = this.cache;
    const { first, last } = this.Visible();
    for (const offset of c.Missing(first, last, this.latest)) {
      if (this.inflight.has(offset)) continue;
      this.inflight.add(offset);
      Api<DevicesJson>('GET', DevicesQuery(c.filter, offset, kPageSize))
        .then((page) => {
          if (c !== this.cache) return;
          c.Put(offset, page.as_of, page.total, page.devices);
          this.Render();
        })
        .catch(() => undefined)
        .finally(() => this.inflight.delete(offset));
    }
  }

  // Only the rows in view (and a few either side) exist in the DOM.
  private Render(): void {
    const c = this.cache;
    this.spacer.style.height = `${c.total * kRowH}px`;
    this.viewport.setAttribute('aria-rowcount', String(c.total));
    const { first, last } = this.Visible();
    const out: HTMLElement[] = [];
    for (let i = first; i < last; ++i) {
      const d = c.Row(i);
      const row = d ? DeviceRow(d, i) : h('div', { class: 'vrow loading', role: 'row', 'aria-rowindex': i + 1 }, h('div', { class: 'vc', role: 'gridcell' }, '…'));
      row.id = `device-row-${i}`;
      row.style.top = `${i * kRowH}px`;
      if (i === this.active) row.classList.add('active');
      row.addEventListener('click', () => this.Activate(i, true));
      out.push(row);
    }
    this.rows.replaceChildren(...out);
    this.OpenIfHere();
    if (this.active < c.total) this.viewport.setAttribute('aria-activedescendant', `device-row-${this.active}`);
    this.RenderCrumbs();
  }

  private OnKey(ev: KeyboardEvent): void {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      this.Activate(this.active, true);
      return;
    }
    const perScreen = Math.max(1, Math.floor((this.viewport.clientHeight || 10 * kRowH) / kRowH));
    const next = MoveRow(this.active, ev.key, this.cache.total, perScreen);
    if (next === null) return;
    ev.preventDefault();
    this.Activate(next, false);
  }

  // Makes row `i` the active one, scrolled into view; `open` shows it whole.
  private Activate(i: number, open: boolean): void {
    this.active = i;
    const top = i * kRowH;
    const h0 = this.viewport.clientHeight || 10 * kRowH;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + kRowH > this.viewport.scrollTop + h0) this.viewport.scrollTop = top + kRowH - h0;
    this.Render();
    this.FetchMissing();
    if (open) {
      this.opening = i;
      this.OpenIfHere();
    }
  }

  private OpenIfHere(): void {
    const d = this.opening === null ? null : this.cache.Row(this.opening);
    if (!d) return;
    this.opening = null;
    this.ShowDevice(d);
  }

  private ShowDevice(d: DeviceJson): void {
    Replace(
      this.detail,
      h('h3', {}, `Miner ${d.name}`),
      h(
        'dl',
        { class: 'summary', id: 'device-detail-list' },
        ...([
          ['Index', String(d.index)],
          ['Group', d.group],
          ['State', d.state],
          ['Reported power', d.power_w === null ? 'none' : FormatPower(d.power_w)],
          ['Hashrate', d.hashrate_th_s === null ? 'none' : `${d.hashrate_th_s.toFixed(1)} TH/s`],
          ['Told to', d.command ?? 'nothing yet'],
          ['Target', d.target ?? '–'],
          ['Commanded at', d.commanded_at ?? '–'],
        ] as const).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
    );
  }
}

function DeviceRow(d: DeviceJson, i: number): HTMLElement {
  const cell = (text: string, k: number, cls = '') => h('div', { class: `vc vc${k} ${cls}`, role: 'gridcell' }, text);
  return h(
    'div',
    { class: `vrow st-${d.state}`, role: 'row', 'aria-rowindex': i + 1, 'data-index': d.index },
    cell(d.name, 0),
    cell(d.group, 1),
    cell(d.state, 2, 'state'),
    cell(d.power_w === null ? '–' : FormatPower(d.power_w), 3, 'num'),
    cell(d.hashrate_th_s === null ? '–' : d.hashrate_th_s.toFixed(1), 4, 'num'),
    cell(d.target ?? '–', 5),
    cell(ClockOf(d.commanded_at), 6),
  );
}
