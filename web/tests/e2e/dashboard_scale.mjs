// slow e2e: the dashboard against `mullet serve` on a large fleet (started by
// dashboard_scale.sh): the page shows every miner in its counts, holds a
// screenful of the device table in the DOM whatever the fleet, reaches the
// fleet's last miner from the keyboard, and shows each tick the daemon
// publishes. Prints the figures of web/README.md, "Performance".
//   node dashboard_scale.mjs BASE_URL VIEWER_TOKEN MINERS OUT_DIR
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const [base, token, minersArg, outDir] = process.argv.slice(2);
const miners = Number(minersArg);
mkdirSync(outDir, { recursive: true });
let passed = 0;
let failed = 0;
function check(what, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}${detail ? ` (${detail})` : ''}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(ms, probe) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v || Date.now() > end) return v;
    await sleep(100);
  }
}
const site = async () => (await (await fetch(`${base}/api/v1/site`)).json());

const browser = await chromium.launch({
  executablePath: process.env.MULLET_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  // The first tick sweeps the whole fleet: wait for it before the page.
  const first = await until(120000, async () => (await site()).live?.tick?.time);
  check('the daemon ticks over the fleet', Boolean(first), first);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const t0 = Date.now();
  await page.goto(`${base}/`);
  await page.fill('#token', token);
  await page.click('#login-submit');
  const counted = await until(60000, async () => {
    const n = await page.evaluate(() => [...document.querySelectorAll('#device-totals td[data-state]')].reduce((s, td) => s + Number(td.textContent.replace(/,/g, '')), 0));
    return n === miners ? n : null;
  });
  const loadedMs = Date.now() - t0;
  check(`the device counts cover all ${miners} miners`, counted === miners, String(counted));
  console.log(`figure: login to the fleet's counts on the page: ${loadedMs} ms`);

  // A screenful in the DOM, whatever the fleet.
  const rows = await page.locator('#device-table .vrows .vrow').count();
  const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
  check('the table holds a screenful of rows, not the fleet', rows > 0 && rows < 60, String(rows));
  console.log(`figure: device rows in the DOM: ${rows}; elements in the page: ${elements}`);

  // The keyboard reaches the last miner; its page is fetched on the way.
  await page.focus('#device-table');
  const t1 = Date.now();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  const last = await until(10000, async () => (await page.textContent('#device-detail').catch(() => '')).includes(`Index${miners - 1}`));
  check('End and Enter open the fleet\'s last miner', last === true);
  console.log(`figure: End to the last miner shown whole: ${Date.now() - t1} ms`);
  await page.locator('#devices').screenshot({ path: join(outDir, 'devices-scale.png') });

  // The page shows each tick the daemon publishes, and what it costs it.
  const before = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const ticks = [];
  for (let i = 0; i < 3; ++i) {
    const now = (await site()).live.tick.time;
    const next = await until(40000, async () => {
      const t = (await site()).live.tick.time;
      return t !== now ? t : null;
    });
    const seenAt = Date.now();
    const shown = await until(10000, async () => (await page.getAttribute('#tiers', 'data-tick-time')) === next);
    ticks.push({ next, shown: shown === true, lagMs: Date.now() - seenAt });
  }
  const after = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  check('the page shows each of 3 ticks', ticks.every((t) => t.shown), JSON.stringify(ticks));
  console.log(`figure: a tick on the page after the API has it: ${ticks.map((t) => t.lagMs).join(', ')} ms (polled every 100 ms)`);
  console.log(`figure: the page's script over those 3 ticks: ${((after.ScriptDuration - before.ScriptDuration) * 1000).toFixed(0)} ms, its tasks ${((after.TaskDuration - before.TaskDuration) * 1000).toFixed(0)} ms, heap ${(after.JSHeapUsedSize / 1e6).toFixed(1)} MB`);
  const fetches = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/devices')).map((e) => e.responseEnd - e.startTime));
  fetches.sort((a, b) => a - b);
  console.log(`figure: /api/v1/devices pages fetched: ${fetches.length}, median ${fetches[Math.floor(fetches.length / 2)]?.toFixed(1)} ms, slowest ${fetches[fetches.length - 1]?.toFixed(1)} ms`);
} catch (e) {
  check('the run finished', false, String(e?.stack ?? e));
} finally {
  await browser.close().catch(() => {});
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
