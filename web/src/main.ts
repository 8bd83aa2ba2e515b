// The dashboard: a login box, then the live site. Panels are rebuilt from
// the view models of shape.ts on each state the daemon pushes; actions go
// through the API with the token in memory and ask for confirmation first.

import './style.css';

import { Api, ApiError, SetToken } from './api';
import type { AuditJson, EventJson, OverrideJson, PreviewJson, Role, SiteJson, TickJson, WhoAmIJson } from './api_types';
import { LoadBar } from './bars';
import { PriceChart, StackChart } from './chart';
import { DevicesPanel } from './devices_panel';
import { FourCpPanel } from './four_cp_panel';
import { Confirm } from './dialog';
import { MarketPanel } from './market_panel';
import { PolicyPanel } from './policy_panel';
import { ReportsPanel } from './reports_panel';
import { TimelineView } from './timeline_view';
import { h, Replace } from './dom';
import { ClockOf, FormatAge, FormatPower } from './format';
import { History } from './history';
import { LiveSite, type LiveMode } from './live';
import {
  kTargetStates,
  ShapeAlerts,
  ShapeDecisions,
  ShapeEvents,
  ShapeGroupHolds,
  ShapePowerStack,
  ShapeSources,
  ShapeTargets,
} from './shape';

const app = document.getElementById('app')!;

interface Session {
  who: WhoAmIJson;
  live: LiveSite;
  site: SiteJson | null;
  lastTick: string | null;
  meanings: Record<string, string>;
  history: History;
  chart: StackChart | null;
  priceChart: PriceChart | null;
  devices: DevicesPanel;
  policy: PolicyPanel;
  fourCp: FourCpPanel;
  reports: ReportsPanel;
}

let session: Session | null = null;

function CanAct(role: Role): boolean {
  return role === 'operator' || role === 'admin';
}

// ---- login

function ShowLogin(message = ''): void {
  const input = h('input', {
    id: 'token',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'mlt_…',
    required: true,
    'aria-describedby': 'login-help',
  });
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' }, message);
  const form = h(
    'form',
    { class: 'login', id: 'login' },
    h('h1', {}, 'mullet'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { id: 'login-help', class: 'help' }, 'From `mullet token create --role viewer|operator|admin`. Kept in this tab\'s memory only: a reload asks again.'),
    h('button', { type: 'submit', id: 'login-submit' }, 'Log in'),
    error,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void LogIn(input.value.trim(), error);
  });
  Replace(app, form);
  input.focus();
}

async function LogIn(token: string, error: HTMLElement): Promise<void> {
  SetToken(token);
  try {
    const who = await Api<WhoAmIJson>('GET', '/api/v1/whoami');
    const meanings = await Api<{ reasons: Record<string, string> }>('GET', '/api/v1/reasons');
    StartSession(who, meanings.reasons);
  } catch (e) {
    SetToken(null);
    error.textContent = e instanceof ApiError && e.status === 401 ? 'Unknown or revoked token.' : `Cannot log in: ${String((e as Error).message)}`;
  }
}

function LogOut(): void {
  session?.live.Stop();
  session = null;
  SetToken(null);
  ShowLogin();
}

// ---- the live view

const panels = {
  header: h('header', { class: 'top' }),
  alerts: h('section', { class: 'alerts', 'aria-live': 'polite', id: 'alerts' }),
  stack: h('section', { class: 'panel wide', id: 'stack', 'aria-labelledby': 'stack-h' }),
  chart: h('div', { class: 'chart', id: 'chart' }),
  priceChart: h('div', { class: 'chart', id: 'price-chart' }),
  market: h('section', { class: 'panel', id: 'market' }),
  events: h('section', { class: 'panel', id: 'events' }),
  sources: h('section', { class: 'panel', id: 'sources' }),
  decisions: h('section', { class: 'panel wide', id: 'decisions' }),
  audit: h('section', { class: 'panel wide', id: 'audit' }),
  holds: h('section', { class: 'panel', id: 'holds' }),
  holdList: h('div', { id: 'hold-list' }),
  eventList: h('div', { id: 'event-list' }),
  targets: h('div', { id: 'targets' }),
};

function StartSession(who: WhoAmIJson, meanings: Record<string, string>): void {
  const live = new LiveSite({ onSite: OnSite, onMode: OnMode });
  session = { who, live, site: null, lastTick: null, meanings, history: new History(), chart: null, priceChart: null, devices: new DevicesPanel(), policy: new PolicyPanel(who.role, () => void RefreshLists()), fourCp: new FourCpPanel(who.role, () => void RefreshLists()), reports: new ReportsPanel() };
  const main = h(
    'main',
    { class: 'grid' },
    panels.alerts,
    panels.stack,
    panels.market,
    panels.events,
    panels.sources,
    panels.holds,
    session.devices.root,
    session.policy.root,
    session.fourCp.root,
    session.reports.root,
    panels.decisions,
    who.role === 'admin' ? panels.audit : null,
  );
  Replace(app, panels.header, main);
  Replace(panels.stack, h('h2', { id: 'stack-h' }, 'Power'), h('p', { class: 'help' }, 'Waiting for the first tick…'));
  RenderEventsPanel();
  RenderHoldsPanel();
  RenderHeader('connecting');
  void session.policy.Load();
  void session.fourCp.Load();
  void session.reports.Load();
  live.Start();
}

function OnMode(mode: LiveMode): void {
  RenderHeader(mode);
}

function RenderHeader(mode: LiveMode): void {
  if (!session) return;
  const { who, site } = session;
  const logout = h('button', { type: 'button', id: 'logout' }, 'Log out');
  logout.addEventListener('click', LogOut);
  Replace(
    panels.header,
    h('h1', {}, site?.name ?? 'mullet'),
    h('span', { class: `mode mode-${mode}`, id: 'mode', title: 'How the page hears of the site' }, mode === 'stream' ? 'live' : mode),
    h('span', { class: `role role-${who.role}`, id: 'role' }, `${who.role}: ${who.label || `token ${who.id}`}`),
    logout,
  );
}

function OnSite(site: SiteJson): void {
  if (!session) return;
  const firstSite = session.site === null;
  session.site = site;
  if (firstSite) RenderHeader('stream');
  session.history.Add(site);
  RenderAlerts(site);
  RenderStack(site);
  RenderMarket(site);
  RenderTargets(site);
  RenderSources(site);
  session.devices.SetDomains(site.domains.map((d) => d.name));
  const tick = site.live?.tick?.time ?? null;
  if (tick !== session.lastTick) {
    session.lastTick = tick;
    void RefreshLists();
    void session.devices.Refresh();
  }
}

// Lists that change with a tick or a write, read again when either happens.
async function RefreshLists(): Promise<void> {
  if (!session) return;
  const s = session;
  try {
    const [events, ticks, overrides] = await Promise.all([
      Api<{ events: EventJson[] }>('GET', '/api/v1/events?limit=20'),
      Api<{ ticks: TickJson[] }>('GET', '/api/v1/ticks?limit=8'),
      Api<{ overrides: OverrideJson[] }>('GET', '/api/v1/overrides'),
    ]);
    if (session !== s) return;
    RenderEventList(events.events, s.site?.now ?? new Date().toISOString());
    if (s.site) RenderHoldList(s.site, overrides.overrides);
    RenderDecisions(ticks.ticks, s.meanings);
    if (s.who.role === 'admin') {
      const audit = await Api<{ audit: AuditJson[] }>('GET', '/api/v1/audit?limit=20');
      if (session === s) RenderAudit(audit.audit);
    }
  } catch {
    // the next tick tries again; the header says when the daemon is away
  }
}

function RenderAlerts(site: SiteJson): void {
  const alerts = ShapeAlerts(site);
  Replace(panels.alerts, ...alerts.map((a) => h('p', { class: `alert alert-${a.level}` }, a.text)));
}

function RenderStack(site: SiteJson): void {
  const v = ShapePowerStack(site);
  if (!v) return;
  const bar = h('div', { class: 'stackbar', role: 'img', 'aria-label': 'Power by tier against the cap' });
  for (const t of v.tiers) {
    bar.append(h('div', { class: `seg seg-${t.key}`, title: `${t.label}: ${FormatPower(t.w)}`, 'data-f': t.fraction }));
  }
  // Widths through the CSSOM (the page's CSP forbids style attributes).
  Array.from(bar.children).forEach((seg, i) => ((seg as HTMLElement).style.width = `${(v.tiers[i].fraction * 100).toFixed(3)}%`));
  const capMark = h('div', { class: 'capmark', title: `Cap ${FormatPower(v.capW)}` });
  capMark.style.left = `${((v.capW / v.scaleW) * 100).toFixed(3)}%`;
  bar.append(capMark);
  const tiers = h(
    'table',
    { class: 'tiers', id: 'tiers', 'data-tick-time': v.tickTime },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Tier'), h('th', { scope: 'col', class: 'num' }, 'Expected'))),
    h(
      'tbody',
      {},
      ...v.tiers.map((t) =>
        h('tr', { 'data-tier': t.key, 'data-w': t.w }, h('th', { scope: 'row' }, h('span', { class: `swatch seg-${t.key}` }), t.label), h('td', { class: 'num' }, FormatPower(t.w))),
      ),
    ),
  );
  const limits = h(
    'table',
    { class: 'limits', id: 'limits' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Limit'), h('th', { scope: 'col', class: 'num' }, 'Limit'), h('th', { scope: 'col', class: 'num' }, 'Drawing'), h('th', { scope: 'col', class: 'num' }, 'Room'))),
    h(
      'tbody',
      {},
      ...v.limits.map((l) =>
        h(
          'tr',
          { 'data-limit': l.name, 'data-w': l.w, class: l.drawW !== null && l.drawW > l.w ? 'over' : null },
          h('th', { scope: 'row' }, l.name, l.kind === 'domain' ? h('span', { class: 'help' }, ' (domain)') : null),
          h('td', { class: 'num' }, FormatPower(l.w)),
          h('td', { class: 'num' }, l.drawW === null ? 'not yet' : FormatPower(l.drawW), l.drawW === null ? null : LoadBar(l.drawW, l.w, `${l.name}: ${FormatPower(l.drawW)} of ${FormatPower(l.w)}`)),
          h('td', { class: 'num' }, l.drawW === null ? '–' : FormatPower(l.w - l.drawW)),
        ),
      ),
    ),
  );
  const summary = h(
    'dl',
    { class: 'summary' },
    h('dt', {}, 'Metered'), h('dd', { id: 'metered', 'data-w': v.meteredW ?? '' }, v.meteredW === null ? 'no meter' : FormatPower(v.meteredW)),
    h('dt', {}, 'Expected'), h('dd', { id: 'expected', 'data-w': v.expectedW }, FormatPower(v.expectedW)),
    h('dt', {}, 'Cap'), h('dd', { id: 'cap', 'data-w': v.capW }, FormatPower(v.capW)),
    h('dt', {}, 'Headroom'), h('dd', { id: 'headroom', 'data-w': v.headroomW, class: v.headroomW < 0 ? 'over' : null }, FormatPower(v.headroomW)),
    h('dt', {}, 'Tick'), h('dd', { id: 'tick-time' }, ClockOf(v.tickTime)),
  );
  Replace(
    panels.stack,
    h('h2', { id: 'stack-h' }, 'Power'),
    summary,
    bar,
    h('div', { class: 'cols' }, tiers, limits),
    h('p', { class: 'help' }, 'Tiers are the policy\'s expected draw after its commands: each load\'s IT, and the cooling of them all apart; headroom is what the cap leaves above them.'),
    panels.chart,
  );
  if (!session!.chart) session!.chart = new StackChart(panels.chart);
  session!.chart.Update(session!.history.samples);
}

function RenderMarket(site: SiteJson): void {
  if (!session) return;
  if (!session.priceChart) session.priceChart = new PriceChart(panels.priceChart);
  MarketPanel(panels.market, site, panels.priceChart);
  session.priceChart.Update(session.history.samples, (site.live?.groups ?? []).map((g) => g.name));
}

function RenderSources(site: SiteJson): void {
  const rows = ShapeSources(site);
  Replace(
    panels.sources,
    h('h2', {}, 'Sources'),
    h(
      'table',
      { id: 'source-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Input'), h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col', class: 'num' }, 'Age'), h('th', { scope: 'col' }, 'From'))),
      h(
        'tbody',
        {},
        ...rows.map((s) =>
          h(
            'tr',
            { 'data-source': s.name, class: `src-${s.status.replace(' ', '-')}` },
            h('th', { scope: 'row' }, s.name),
            h('td', { class: 'state' }, s.status, s.error ? h('span', { class: 'help' }, ` — ${s.error}`) : null),
            h('td', { class: 'num' }, FormatAge(s.ageS)),
            h('td', {}, s.source),
          ),
        ),
      ),
    ),
  );
}

function RenderTargets(site: SiteJson): void {
  const counts = ShapeTargets(site);
  Replace(
    panels.targets,
    h('h3', {}, 'Miners\' targets'),
    h(
      'ul',
      { class: 'counts', id: 'target-counts' },
      ...kTargetStates.map((s) => h('li', { 'data-state': s }, h('span', { class: 'n' }, counts[s]), ` ${s}`)),
    ),
  );
}

function RenderDecisions(ticks: TickJson[], meanings: Record<string, string>): void {
  const rows = ShapeDecisions(ticks, meanings);
  Replace(
    panels.decisions,
    h('h2', {}, 'Decisions'),
    h(
      'table',
      { id: 'decision-table' },
      h('thead', {}, h('tr', {}, ...['Tick', 'Group', 'Hashing', 'Why'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...rows.map((d) =>
          h(
            'tr',
            {},
            h('td', {}, ClockOf(d.time)),
            h('td', {}, d.group),
            h('td', { class: 'num' }, d.running, d.heldAt !== null ? ` (held at ${d.heldAt})` : ''),
            h('td', {}, d.meaning, ' ', h('code', {}, d.reason)),
          ),
        ),
      ),
    ),
  );
}

function RenderAudit(rows: AuditJson[]): void {
  Replace(
    panels.audit,
    h('h2', {}, 'Audit log'),
    h(
      'table',
      { id: 'audit-table' },
      h('thead', {}, h('tr', {}, ...['When', 'Who', 'Action', 'Detail'].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...rows.map((a) =>
          h('tr', { 'data-action': a.action }, h('td', {}, a.at), h('td', {}, a.who), h('td', {}, a.action), h('td', {}, h('code', {}, JSON.stringify(a.detail)))),
        ),
      ),
    ),
  );
}

// ---- events and their actions

function RenderEventsPanel(): void {
  if (!session) return;
  const can = CanAct(session.who.role);
  const type = h('select', { id: 'event-type', disabled: !can }, h('option', { value: 'reduce-to' }, 'reduce to'), h('option', { value: 'reduce-by' }, 'reduce by'));
  const kw = h('input', { id: 'event-kw', type: 'number', min: 0, step: 'any', required: true, inputmode: 'decimal', disabled: !can });
  const minutes = h('input', { id: 'event-minutes', type: 'number', min: 1, step: 1, placeholder: 'until cancelled', disabled: !can });
  const status = h('p', { id: 'event-status', class: 'help', role: 'status' });
  const submit = h('button', { type: 'submit', id: 'event-create', disabled: !can }, 'Preview and create…');
  const form = h(
    'form',
    { id: 'event-form', class: 'row' },
    h('label', { for: 'event-type' }, 'Event'),
    type,
    h('label', { for: 'event-kw' }, 'kW'),
    kw,
    h('label', { for: 'event-minutes' }, 'for minutes'),
    minutes,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body: Record<string, unknown> = { type: type.value, kw: Number(kw.value) };
    if (minutes.value) body.end = new Date(Date.now() + Number(minutes.value) * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
    void CreateEvent(body, status);
  });
  Replace(
    panels.events,
    h('h2', {}, 'Demand response'),
    can ? null : h('p', { class: 'help', id: 'read-only' }, 'Viewer: you see everything and can change nothing.'),
    form,
    status,
    panels.eventList,
    panels.targets,
  );
}

async function CreateEvent(body: Record<string, unknown>, status: HTMLElement): Promise<void> {
  status.textContent = 'Previewing…';
  let preview: PreviewJson;
  try {
    preview = await Api<PreviewJson>('POST', '/api/v1/events/preview', body);
  } catch (e) {
    status.textContent = `Cannot preview: ${(e as Error).message}`;
    return;
  }
  status.textContent = '';
  const lines = [
    h('p', {}, `${body.type === 'reduce-to' ? 'Reduce to' : 'Reduce by'} ${body.kw} kW: cap ${FormatPower(preview.cap_w)}, expected ${FormatPower(preview.expected_now_w)} now, ${FormatPower(preview.expected_after_w)} after.`),
    preview.shortfall_w > 0 ? h('p', { class: 'alert alert-critical' }, `Short of the cap by ${FormatPower(preview.shortfall_w)}.`) : null,
    h('ul', {}, ...preview.groups.map((g) => h('li', {}, `${g.name}: ${g.running_now} → ${g.running_after} hashing (${FormatPower(g.curtailed_w)} freed)`))),
    ...preview.sla_events.map((s) => h('p', { class: 'alert alert-critical' }, `SLA: ${s.what} cut ${FormatPower(s.cut_w)} (${s.why})`)),
  ];
  if (!(await Confirm('Create this event?', lines, 'Create event'))) {
    status.textContent = 'Not created.';
    return;
  }
  try {
    const e = await Api<EventJson>('POST', '/api/v1/events', body);
    status.textContent = `Event ${e.id} created.`;
    void RefreshLists();
  } catch (err) {
    status.textContent = `Not created: ${(err as Error).message}`;
  }
}

async function CancelEvent(id: number): Promise<void> {
  if (!(await Confirm(`Cancel event ${id}?`, [h('p', {}, 'The loop wakes the miners it put to sleep for it.')], 'Cancel event'))) return;
  try {
    await Api<EventJson>('DELETE', `/api/v1/events/${id}`);
  } catch (e) {
    window.alert(`Not cancelled: ${(e as Error).message}`);
  }
  void RefreshLists();
}

function RenderEventList(events: EventJson[], now: string): void {
  if (!session) return;
  const can = CanAct(session.who.role);
  const rows = ShapeEvents(events, now).slice(0, 10);
  Replace(
    panels.eventList,
    TimelineView(events, now, session.site?.live?.tick?.pending ?? 0),
    rows.length === 0
      ? h('p', { class: 'help' }, 'No events.')
      : h(
          'table',
          { id: 'event-table' },
          h('thead', {}, h('tr', {}, ...['#', 'What', 'When', 'State', 'By', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            ...rows.map((e) => {
              const cancel = e.cancellable ? h('button', { type: 'button', class: 'cancel', 'data-event': e.id, disabled: !can }, 'Cancel…') : null;
              cancel?.addEventListener('click', () => void CancelEvent(e.id));
              return h('tr', { 'data-event': e.id, class: `ev-${e.status}` }, h('td', {}, e.id), h('td', {}, e.what), h('td', {}, e.window), h('td', { class: 'state' }, e.status), h('td', {}, e.createdBy), h('td', {}, cancel));
            }),
          ),
        ),
  );
}

// ---- operators' holds on miner groups (overrides)

const holdGroup = h('select', { id: 'hold-group' });

function RenderHoldsPanel(): void {
  if (!session) return;
  const can = CanAct(session.who.role);
  holdGroup.disabled = !can;
  const units = h('input', { id: 'hold-units', type: 'number', min: 0, step: 1, required: true, inputmode: 'numeric', disabled: !can });
  const minutes = h('input', { id: 'hold-minutes', type: 'number', min: 1, step: 1, placeholder: 'until cleared', disabled: !can });
  const status = h('p', { id: 'hold-status', class: 'help', role: 'status' });
  const form = h(
    'form',
    { id: 'hold-form', class: 'row' },
    h('label', { for: 'hold-group' }, 'Hold'),
    holdGroup,
    h('label', { for: 'hold-units' }, 'at most'),
    units,
    h('label', { for: 'hold-minutes' }, 'hashing, for minutes'),
    minutes,
    h('button', { type: 'submit', id: 'hold-set', disabled: !can }, 'Hold…'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body: Record<string, unknown> = { group: holdGroup.value, max_running: Number(units.value) };
    if (minutes.value) body.until = new Date(Date.now() + Number(minutes.value) * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
    void SetHold(body, status);
  });
  Replace(
    panels.holds,
    h('h2', {}, 'Miner groups'),
    h('p', { class: 'help' }, 'A hold keeps a group at or below a number of hashing units; it never holds one above what the policy wants.'),
    form,
    status,
    panels.holdList,
  );
}

async function SetHold(body: Record<string, unknown>, status: HTMLElement): Promise<void> {
  const text = `Hold ${String(body.group)} at most ${String(body.max_running)} hashing ${body.until ? `until ${String(body.until)}` : 'until cleared'}.`;
  if (!(await Confirm('Hold this group?', [h('p', {}, text)], 'Hold group'))) {
    status.textContent = 'Not held.';
    return;
  }
  try {
    await Api<OverrideJson>('POST', '/api/v1/overrides', body);
    status.textContent = `${String(body.group)} held.`;
  } catch (e) {
    status.textContent = `Not held: ${(e as Error).message}`;
  }
  void RefreshLists();
}

async function ClearHold(group: string): Promise<void> {
  if (!(await Confirm(`Clear the hold on ${group}?`, [h('p', {}, 'The policy alone decides the group again.')], 'Clear hold'))) return;
  try {
    await Api<unknown>('DELETE', `/api/v1/overrides/${encodeURIComponent(group)}`);
  } catch (e) {
    window.alert(`Not cleared: ${(e as Error).message}`);
  }
  void RefreshLists();
}

function RenderHoldList(site: SiteJson, overrides: OverrideJson[]): void {
  if (!session) return;
  const can = CanAct(session.who.role);
  const rows = ShapeGroupHolds(site, overrides);
  const chosen = holdGroup.value;
  Replace(holdGroup, ...rows.map((r) => h('option', { value: r.group, selected: r.group === chosen }, r.group)));
  Replace(
    panels.holdList,
    h(
      'table',
      { id: 'hold-table' },
      h('thead', {}, h('tr', {}, ...['Group', 'Hashing', 'Held at', 'Until', 'By', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...rows.map((r) => {
          const clear = r.heldAt !== null ? h('button', { type: 'button', class: 'clear', 'data-group': r.group, disabled: !can }, 'Clear…') : null;
          clear?.addEventListener('click', () => void ClearHold(r.group));
          return h(
            'tr',
            { 'data-group': r.group },
            h('th', { scope: 'row' }, r.group),
            h('td', { class: 'num' }, r.running ?? '–'),
            h('td', { class: 'num held' }, r.heldAt ?? '–'),
            h('td', {}, r.heldAt === null ? '' : (r.until ?? 'until cleared')),
            h('td', {}, r.by ?? ''),
            h('td', {}, clear),
          );
        }),
      ),
    ),
  );
}

ShowLogin();
