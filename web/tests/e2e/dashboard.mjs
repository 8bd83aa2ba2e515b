// e2e: the dashboard in a real browser (Debian's Chromium driven by
// playwright-core) against `mullet serve --emulate`: the page loads and
// streams; its power stack is /api/v1/site's numbers; an operator's event and
// hold on a miner group, each confirmed in its dialog, change the site and are
// in the audit log; each domain's draw and each group's breakeven are the
// API's; the device table counts the fleet, drills down to a group and a
// miner, and by hall, and holds only the rows in view; the event's targets show on the
// timeline; an admin's policy change is confirmed and audited; a viewer sees
// everything and can act on nothing; a backtest report written beside the
// daemon (--reports) is listed and opens as its file looks; an operator's 4CP
// alert, raised and cancelled through the page, puts mining to sleep and wakes it.
// Screenshots go to OUT_DIR.
//   node dashboard.mjs MULLET_BINARY EXAMPLES_DIR OUT_DIR
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { chromium } from 'playwright-core';

const [mullet, examples, outDir] = process.argv.slice(2);
if (!mullet || !examples || !outDir) {
  console.error('usage: dashboard.mjs MULLET_BINARY EXAMPLES_DIR OUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'mullet_dashboard_'));
const db = join(work, 'site.db');
let passed = 0;
let failed = 0;
function check(what, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok: ${what}`);
  } else {
    failed++;
    console.log(`FAIL: ${what}${detail ? ` (${detail})` : ''}`);
  }
}
const token = (role) => execFileSync(mullet, ['token', 'create', '--role', role, '--label', `e2e ${role}`, '--db', db]).toString().trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const tokens = { operator: token('operator'), viewer: token('viewer'), admin: token('admin') };
// The demo site with a 4CP charge whose only alerts are the operator's (its
// one alert hour is long past), so the page can raise one.
const site = join(work, 'demo_site.yaml');
const demo = readFileSync(`${examples}/demo_site.yaml`, 'utf8');
const withFourCp = demo.replace(
  '  adder_usd_per_mwh: 4.5\n',
  '  adder_usd_per_mwh: 4.5\n  four_cp:\n    rate_usd_per_kw_year: 55\n    peaks: [2025-07-15T21:45:00Z]\n    alert_hours: [2020-01-01T00:00:00Z]\n',
);
if (withFourCp === demo) throw new Error('demo_site.yaml has no adder line to add a 4CP charge after');
writeFileSync(site, withFourCp);
// A report beside the daemon, as a user's backtest writes it.
const reports = join(work, 'reports');
execFileSync(mullet, ['backtest', site, '--out', join(reports, 'demo-year'), '--hashprice-usd-per-th-day', '0.05', '--from', '2025-01-01', '--to', '2026-01-01'], { stdio: 'ignore' });
const daemon = spawn(
  mullet,
  ['serve', '--emulate', '200', site, '--db', db, '--tick-s', '1', '--emulate-from', '127.3.160.1', '--listen', '127.0.0.1:0', '--reports', reports],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
daemon.stderr.resume();
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('mullet serve did not say where it listens')), 30000);
  createInterface({ input: daemon.stdout }).on('line', (line) => {
    const m = /API on (http:\/\/\S+)/.exec(line);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  daemon.on('exit', (code) => reject(new Error(`mullet serve exited ${code}`)));
});

async function api(method, path, tokenValue, body) {
  const r = await fetch(base + path, {
    method,
    headers: { ...(tokenValue ? { Authorization: `Bearer ${tokenValue}` } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, json: await r.json().catch(() => null) };
}

// Polls `probe` until it returns a truthy value or `ms` pass.
async function until(ms, probe) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v || Date.now() > end) return v;
    await sleep(200);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.MULLET_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});

async function logIn(tokenValue, viewport = { width: 1280, height: 1000 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const offOrigin = [];
  page.on('request', (req) => {
    if (!req.url().startsWith(base)) offOrigin.push(req.url());
  });
  await page.goto(base + '/');
  await page.fill('#token', tokenValue);
  await page.click('#login-submit');
  await page.waitForSelector('#tiers[data-tick-time]', { timeout: 20000 });
  return { context, page, offOrigin };
}

try {
  // ---- An operator logs in; the page streams and shows the API's numbers.
  const op = await logIn(tokens.operator);
  check('the page loads and shows the power stack', true);
  check('the page hears the site through the stream', (await until(10000, async () => (await op.page.textContent('#mode')) === 'live')) === true);
  const matched = await until(15000, async () => {
    const shown = await op.page.evaluate(() => {
      const table = document.querySelector('#tiers');
      const tiers = {};
      for (const row of document.querySelectorAll('#tiers tr[data-tier]')) tiers[row.getAttribute('data-tier')] = Number(row.getAttribute('data-w'));
      return { time: table.getAttribute('data-tick-time'), tiers, cap: Number(document.querySelector('#cap').getAttribute('data-w')) };
    });
    const site = (await api('GET', '/api/v1/site')).json;
    const tick = site.live?.tick;
    if (!tick || tick.time !== shown.time) return null;
    return { shown, tick };
  });
  check('the page and /api/v1/site show the same tick', matched !== null);
  if (matched) {
    const { shown, tick } = matched;
    for (const tier of ['firm', 'batch', 'mining']) {
      check(`tier ${tier} is the API's ${tick.tier_it_w[tier]} W of IT`, shown.tiers[tier] === tick.tier_it_w[tier], `page ${shown.tiers[tier]}`);
    }
    check(`cooling is its own tier, the API's ${tick.cooling_w} W`, shown.tiers.cooling === tick.cooling_w, `page ${shown.tiers.cooling}`);
    check('unexplained is the API\'s', shown.tiers.unexplained === tick.tier_w.unexplained, `page ${shown.tiers.unexplained}`);
    const facility = tick.tier_w.firm + tick.tier_w.batch + tick.tier_w.mining;
    const split = tick.tier_it_w.firm + tick.tier_it_w.batch + tick.tier_it_w.mining + tick.cooling_w;
    check('IT and cooling add up to the facility tiers', Math.abs(facility - split) < 1e-3, `${facility} vs ${split}`);
    check(`the cap is the API's ${tick.site_cap_w} W`, shown.cap === tick.site_cap_w, `page ${shown.cap}`);
    check('firm AI is the demo tenant (1.59 MW with cooling, 1.275 MW of IT)', tick.tier_w.firm === 1593750 && tick.tier_it_w.firm === 1275000, String(tick.tier_w.firm));
  }
  // ---- Each power domain's draw and each group's breakeven, as the API serves them.
  const domainsMatch = await until(15000, async () => {
    const site = (await api('GET', '/api/v1/site')).json;
    const shown = await op.page.evaluate(() => Object.fromEntries(
      [...document.querySelectorAll('#limits tr[data-limit]')].map((r) => [r.getAttribute('data-limit'), r.querySelector('td:nth-child(3)').textContent]),
    ));
    const want = site.domains.map((d) => [d.name, d.draw_w]);
    return want.length === 2 && want.every(([name, w]) => w !== null && shown[name]?.startsWith(w >= 1e6 ? (w / 1e6).toFixed(3) : (w / 1e3).toFixed(1))) ? want : null;
  });
  check('each domain shows its draw against its limit, as /api/v1/site serves it', domainsMatch !== null, JSON.stringify(domainsMatch));
  check('each domain has a bar against its limit', (await op.page.locator('#limits tr[data-limit="hall-ai"] .loadbar').count()) === 1);
  const breakevens = await until(10000, async () => {
    const groups = (await api('GET', '/api/v1/site')).json.live?.groups ?? [];
    const shown = await op.page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#breakevens tr[data-group]')].map((r) => [r.getAttribute('data-group'), Number(r.getAttribute('data-usd-per-mwh'))])));
    return groups.length === 2 && groups.every((g) => Math.abs(shown[g.name] - g.breakeven_usd_per_mwh) < 1e-9) ? shown : null;
  });
  check('each group\'s breakeven is the API\'s', breakevens !== null, JSON.stringify(breakevens));
  check('the price chart draws the price and a breakeven per group', await until(10000, async () => (await op.page.locator('#price-chart .u-legend .u-series').count()) === 4));

  // ---- Devices: the fleet by state, a drill-down to a group, a virtualised table.
  const fleetCounts = await until(15000, async () => {
    const shown = await op.page.evaluate(() => [...document.querySelectorAll('#device-totals td[data-state]')].reduce((n, td) => n + Number(td.textContent.replace(/,/g, '')), 0));
    return shown === 200 ? shown : null;
  });
  check('the device counts cover the 200 emulated miners', fleetCounts === 200, String(fleetCounts));
  const devicesApi = (await api('GET', '/api/v1/devices?limit=1', tokens.viewer)).json;
  check('the API counts 120 S21 and 80 S19 XP by state', devicesApi.groups.map((g) => g.seen).join() === '120,80', JSON.stringify(devicesApi.groups));
  await op.page.click('#device-group-table button[data-group="s21"]');
  check('a group drills down to its miners', await until(10000, async () => (await op.page.textContent('#device-crumbs')).includes('s21') && (await op.page.textContent('#device-crumbs')).includes('120 shown')));
  const rendered = await until(10000, async () => {
    const rows = await op.page.evaluate(() => [...document.querySelectorAll('#device-table .vrows .vrow')].map((r) => r.querySelector('.vc1')?.textContent));
    return rows.length > 0 && rows.every((g) => g === 's21') ? rows.length : null;
  });
  check('the table holds only the rows in view, all of the group', rendered !== null && rendered < 60, String(rendered));
  await op.page.focus('#device-table');
  await op.page.keyboard.press('End');
  await op.page.keyboard.press('Enter');
  check('End and Enter open the group\'s last miner', await until(10000, async () => (await op.page.textContent('#device-detail').catch(() => '')).includes('Index119')));
  check('the last row is the 120th', (await op.page.getAttribute('#device-row-119', 'aria-rowindex')) === '120');
  await op.page.locator('#devices').screenshot({ path: join(outDir, 'devices-s21.png') });
  await op.page.click('#crumb-fleet');
  check('the fleet crumb shows every miner again', await until(10000, async () => (await op.page.textContent('#device-crumbs')).includes('200 shown')));
  // A hall drills down to the miners under it: the demo's feeder holds them all, the AI hall none.
  await op.page.waitForSelector('#device-domain option[value="feeder-mining"]', { state: 'attached', timeout: 10000 });
  await op.page.selectOption('#device-domain', 'feeder-mining');
  check('a hall drills down to the miners under it', await until(10000, async () => (await op.page.textContent('#device-crumbs')).includes('feeder-mining') && (await op.page.textContent('#device-crumbs')).includes('200 shown')));
  await op.page.selectOption('#device-domain', 'hall-ai');
  check('a hall without miners shows none', await until(10000, async () => (await op.page.textContent('#device-crumbs')).includes('0 shown')));
  check('the API agrees', (await api('GET', '/api/v1/devices?domain=hall-ai', tokens.viewer)).json?.total === 0);
  await op.page.selectOption('#device-domain', '');
  check('every hall again', await until(10000, async () => (await op.page.textContent('#device-crumbs')).includes('200 shown')));

  check('each source is listed with its state', (await op.page.locator('#source-table tr[data-source]').count()) >= 3);
  check('decisions carry their reasons in words', await until(10000, async () => (await op.page.textContent('#decision-table').catch(() => ''))?.includes('miners at nameplate')));
  await op.page.screenshot({ path: join(outDir, 'operator.png'), fullPage: true });

  // ---- The operator posts a reduce-to event through the form and its dialog.
  await op.page.selectOption('#event-type', 'reduce-to');
  await op.page.fill('#event-kw', '1900');
  await op.page.click('#event-create');
  await op.page.waitForSelector('dialog#confirm[open]', { timeout: 10000 });
  check('the event asks for confirmation with a preview', (await op.page.textContent('dialog#confirm')).includes('Reduce to 1900 kW'));
  await op.page.screenshot({ path: join(outDir, 'confirm.png') });
  check('nothing is created before the confirmation', (await api('GET', '/api/v1/events')).json.events.length === 0);
  await op.page.click('#confirm-yes');
  check('the page says the event was created', await until(10000, async () => /Event \d+ created/.test(await op.page.textContent('#event-status'))));
  const events = (await api('GET', '/api/v1/events')).json.events;
  check('one reduce-to event of 1,900 kW is stored', events.length === 1 && events[0].kw === 1900 && events[0].type === 'reduce-to', JSON.stringify(events));
  check('it was made by the operator\'s token', events[0]?.created_by?.includes('e2e operator'), events[0]?.created_by);
  check('the page lists it as active', await until(10000, async () => (await op.page.textContent(`#event-table tr[data-event="${events[0]?.id}"] .state`).catch(() => '')) === 'active'));
  check('the site takes the event\'s cap (page)', await until(15000, async () => Number(await op.page.getAttribute('#cap', 'data-w')) === 1.9e6));
  check('the timeline shows the event in force', await until(10000, async () => (await op.page.locator(`#event-timeline li[data-event="${events[0]?.id}"][data-status="active"]`).count()) === 1));
  const progress = await until(20000, async () => {
    const served = (await api('GET', '/api/v1/events')).json.events[0]?.targets;
    const shown = await op.page.evaluate((id) => Object.fromEntries([...document.querySelectorAll(`#event-timeline li[data-event="${id}"] .tl-targets li`)].map((li) => [li.getAttribute('data-state'), Number(li.querySelector('.n').textContent)])), events[0]?.id);
    return served?.confirmed > 0 && shown.confirmed > 0 ? { served, shown } : null;
  });
  check('the event\'s targets are confirmed as the fleet follows it', progress !== null, JSON.stringify(progress));
  await op.page.locator('#events').screenshot({ path: join(outDir, 'event-timeline.png') });
  const metered = await until(20000, async () => {
    const tick = (await api('GET', '/api/v1/site')).json.live?.tick;
    return tick && tick.site_meter_w !== null && tick.site_meter_w <= 1.9e6 + 1 ? tick.site_meter_w : null;
  });
  check('the metered site falls under the event\'s 1,900 kW', metered !== null, String(metered));
  await op.page.screenshot({ path: join(outDir, 'operator-event.png'), fullPage: true });

  // ---- The operator holds a miner group through the page, confirmed.
  await op.page.waitForSelector('#hold-group option[value="s21"]', { state: 'attached', timeout: 10000 });
  await op.page.selectOption('#hold-group', 's21');
  await op.page.fill('#hold-units', '50');
  await op.page.click('#hold-set');
  await op.page.waitForSelector('dialog#confirm[open]', { timeout: 10000 });
  check('the hold asks for confirmation', (await op.page.textContent('dialog#confirm')).includes('Hold s21 at most 50 hashing'));
  await op.page.click('#confirm-yes');
  const held = await until(10000, async () => (await api('GET', '/api/v1/overrides')).json.overrides.find((o) => o.group === 's21' && o.active));
  check('the hold is stored for s21 at 50', held?.max_running === 50, JSON.stringify(held));
  const s21 = await until(15000, async () => {
    const g = (await api('GET', '/api/v1/site')).json.live?.tick?.groups?.find((x) => x.name === 's21');
    return g && g.held_at === 50 && g.running <= 50 ? g : null;
  });
  check('the loop holds s21 at 50 or fewer hashing', s21 !== null, JSON.stringify(s21));
  check('the page shows s21 held at 50', await until(10000, async () => (await op.page.textContent('#hold-table tr[data-group="s21"] .held').catch(() => '')) === '50'));

  // ---- An admin sees both in the audit log.
  const admin = await logIn(tokens.admin);
  const audited = await until(10000, async () => (await admin.page.locator('#audit-table tr[data-action="event.create"]').count()) === 1);
  check('the event is in the audit log the admin sees', audited === true);
  check('the audit row names the operator', (await admin.page.textContent('#audit-table tr[data-action="event.create"]').catch(() => ''))?.includes('e2e operator'));
  check('the hold is in the audit log', await until(10000, async () => (await admin.page.locator('#audit-table tr[data-action="override.set"]').count()) === 1));
  // ---- The admin changes a policy parameter through the page, confirmed.
  await admin.page.waitForSelector('#policy-table tr[data-param="reserve_fraction"]', { timeout: 10000 });
  await admin.page.fill('#policy-reserve_fraction', '0.05');
  await admin.page.click('#policy-set');
  await admin.page.waitForSelector('dialog#confirm[open]', { timeout: 10000 });
  check('the policy change asks for confirmation, naming it', (await admin.page.textContent('dialog#confirm')).includes('Reserve (share of headroom): 0 → 0.05'));
  await admin.page.screenshot({ path: join(outDir, 'policy-confirm.png') });
  check('nothing changes before the confirmation', (await api('GET', '/api/v1/policy')).json.in_force.reserve_fraction === 0);
  await admin.page.click('#confirm-yes');
  check('the API has the new reserve in force', await until(10000, async () => (await api('GET', '/api/v1/policy')).json.in_force.reserve_fraction === 0.05));
  check('the page shows it in force', await until(10000, async () => (await admin.page.textContent('#policy-table tr[data-param="reserve_fraction"] .in-force')) === '0.05'));
  check('the change is in the audit log', await until(10000, async () => (await admin.page.locator('#audit-table tr[data-action="policy.set"]').count()) === 1));
  check('the operator cannot change the policy', await op.page.isDisabled('#policy-set'));
  check('the API refuses the operator\'s change', (await api('PUT', '/api/v1/policy', tokens.operator, { reserve_fraction: 0.1 })).status === 403);
  await admin.page.screenshot({ path: join(outDir, 'admin-audit.png'), fullPage: true });

  // ---- A viewer sees everything and can act on nothing.
  const viewer = await logIn(tokens.viewer, { width: 390, height: 844 });
  check('the viewer sees the role', (await viewer.page.textContent('#role')).startsWith('viewer'));
  check('the viewer is told it is read only', await viewer.page.isVisible('#read-only'));
  check('the viewer\'s create button is disabled', await viewer.page.isDisabled('#event-create'));
  await viewer.page.waitForSelector(`#event-table tr[data-event="${events[0]?.id}"]`, { timeout: 10000 });
  check('the viewer\'s cancel button is disabled', await viewer.page.isDisabled(`#event-table button.cancel[data-event="${events[0]?.id}"]`));
  check('the viewer\'s hold button is disabled', await viewer.page.isDisabled('#hold-set'));
  await viewer.page.waitForSelector('#hold-table button.clear[data-group="s21"]', { timeout: 10000 });
  check('the viewer\'s clear button is disabled', await viewer.page.isDisabled('#hold-table button.clear[data-group="s21"]'));
  check('the API refuses the viewer\'s hold', (await api('POST', '/api/v1/overrides', tokens.viewer, { group: 's21', max_running: 0 })).status === 403);
  check('the viewer sees no audit log', (await viewer.page.locator('#audit-table').count()) === 0);
  check('the viewer\'s policy button is disabled', await viewer.page.isDisabled('#policy-set'));
  check('the viewer has no 4CP alert form', (await viewer.page.locator('#four-cp-raise').count()) === 0);
  check('the API refuses the viewer\'s 4CP alert', (await api('POST', '/api/v1/four-cp-alerts', tokens.viewer, {})).status === 403);
  check('the viewer sees the fleet\'s devices', await until(10000, async () => (await viewer.page.locator('#device-table .vrows .vrow[data-index]').count()) > 0));
  check('the API refuses the viewer\'s event', (await api('POST', '/api/v1/events', tokens.viewer, { type: 'reduce-to', kw: 100 })).status === 403);
  check('the API refuses the viewer\'s cancel', (await api('DELETE', `/api/v1/events/${events[0]?.id}`, tokens.viewer)).status === 403);
  await viewer.page.screenshot({ path: join(outDir, 'viewer-phone.png'), fullPage: true });

  // ---- The operator cancels through the page, again with a confirmation.
  await op.page.click(`#event-table button.cancel[data-event="${events[0]?.id}"]`);
  await op.page.waitForSelector('dialog#confirm[open]', { timeout: 10000 });
  await op.page.click('#confirm-yes');
  check('the operator cancels it through the page', await until(10000, async () => (await api('GET', `/api/v1/events/${events[0]?.id}`)).json?.cancelled !== null));

  await op.page.click('#hold-table button.clear[data-group="s21"]');
  await op.page.waitForSelector('dialog#confirm[open]', { timeout: 10000 });
  await op.page.click('#confirm-yes');
  check('the operator clears the hold through the page', await until(10000, async () => !(await api('GET', '/api/v1/overrides')).json.overrides.some((o) => o.group === 's21' && o.active)));

  // ---- Reports written beside the daemon, listed and opened as their file looks.
  check('the backtest report is listed', await until(10000, async () => (await op.page.textContent('#reports-table').catch(() => '')).includes('Backtest')));
  const href = await op.page.getAttribute('#reports-table a', 'href');
  check('it links to the daemon\'s copy', href === '/reports/demo-year/report.html', String(href));
  const report = await fetch(base + href);
  const html = await report.text();
  check('the report is served whole, as written', report.status === 200 && html === readFileSync(join(reports, 'demo-year', 'report.html'), 'utf8'));
  check('nothing outside the folder is served', (await fetch(base + '/reports/demo-year/summary.json')).status === 404);

  // ---- The operator raises a 4CP alert through the page: mining sleeps; cancelled, it wakes.
  await op.page.waitForSelector('#four-cp-raise', { timeout: 10000 });
  check('the 4CP panel says the site has a charge', (await op.page.textContent('#four-cp-help')).includes('expected charge'));
  await op.page.click('#four-cp-raise');
  await op.page.waitForSelector('dialog#confirm[open]', { timeout: 10000 });
  check('the alert asks for confirmation', (await op.page.textContent('dialog#confirm')).includes('From now until cancelled'));
  check('nothing is raised before the confirmation', (await api('GET', '/api/v1/four-cp-alerts')).json.alerts.length === 0);
  await op.page.click('#confirm-yes');
  const alert = await until(10000, async () => (await api('GET', '/api/v1/four-cp-alerts')).json.alerts.find((a) => a.active));
  check('the alert is stored and in force', alert !== undefined && alert.created_by.includes('e2e operator'), JSON.stringify(alert));
  const asleep = await until(20000, async () => {
    const tick = (await api('GET', '/api/v1/site')).json.live?.tick;
    return tick && tick.four_cp_alert === 'operator' && tick.tier_w.mining === 0 ? tick : null;
  });
  check('the loop weighs it and mining goes to sleep, AI kept', asleep !== null && asleep.tier_w.firm === 1593750, JSON.stringify(asleep?.tier_w));
  check('the page lists it in force', await until(10000, async () => (await op.page.textContent(`#four-cp-table tr[data-alert="${alert?.id}"]`).catch(() => '')).includes('in force')));
  await op.page.locator('#four-cp').screenshot({ path: join(outDir, 'four-cp-alert.png') });
  await op.page.click(`#four-cp-table tr[data-alert="${alert?.id}"] button.cancel-alert`);
  await op.page.waitForSelector('dialog#confirm[open]', { timeout: 10000 });
  await op.page.click('#confirm-yes');
  check('the operator cancels it through the page', await until(10000, async () => (await api('GET', `/api/v1/four-cp-alerts/${alert?.id}`)).json?.cancelled !== null));
  check('mining wakes after it', (await until(20000, async () => (await api('GET', '/api/v1/site')).json.live?.tick?.tier_w?.mining > 0)) === true);
  check('both are in the audit log', await until(10000, async () => (await admin.page.locator('#audit-table tr[data-action^="four_cp_alert."]').count()) === 2));

  for (const [who, s] of [['operator', op], ['admin', admin], ['viewer', viewer]]) {
    check(`the ${who}'s page loaded nothing from another origin`, s.offOrigin.length === 0, s.offOrigin.join(' '));
  }
  check('no token is in any URL the page asked for', !Object.values(tokens).some((t) => [op, admin, viewer].some((s) => s.page.url().includes(t))));
} catch (e) {
  check('the run finished', false, String(e?.stack ?? e));
} finally {
  await browser.close().catch(() => {});
  daemon.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
