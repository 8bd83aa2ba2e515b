// The power stack over the last minutes (uPlot): the tiers stacked as
// filled bands, the cap in force and the metered draw as lines. One point a
// tick for the whole site, so its cost does not grow with the fleet.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

import { PriceColumns, StackedColumns, type Sample } from './history';

const kColors = {
  firm: '#3b6fb6',
  batch: '#7a5cc2',
  mining: '#d08a1e',
  cooling: '#4aa3a2',
  unexplained: '#9a9a9a',
  cap: '#c0392b',
  metered: '#1b1b1b',
};

export class StackChart {
  private plot: uPlot | null = null;

  constructor(private readonly host: HTMLElement) {}

  Update(samples: Sample[]): void {
    // One sample has no span to draw (uPlot would spread it over years).
    if (samples.length < 2) {
      if (!this.plot) this.host.textContent = 'The chart starts at the second tick.';
      return;
    }
    if (!this.plot) this.host.textContent = '';
    const data = StackedColumns(samples) as uPlot.AlignedData;
    if (!this.plot) {
      const band = (label: string, color: string): uPlot.Series => ({
        label,
        stroke: color,
        fill: `${color}99`,
        width: 1,
        value: (_u, v) => (v === null ? '–' : `${v.toFixed(0)} kW`),
      });
      this.plot = new uPlot(
        {
          width: this.Width(),
          height: 220,
          scales: { x: { time: true } },
          axes: [{}, { label: 'kW', size: 60 }],
          series: [
            {},
            band('Firm AI', kColors.firm),
            band('+ batch', kColors.batch),
            band('+ mining', kColors.mining),
            band('+ cooling', kColors.cooling),
            band('+ unexplained', kColors.unexplained),
            { label: 'Cap', stroke: kColors.cap, width: 2, dash: [6, 4] },
            { label: 'Metered', stroke: kColors.metered, width: 2 },
          ],
          // Each band fills down to the one below it, so the bands stack.
          bands: [
            { series: [2, 1] },
            { series: [3, 2] },
            { series: [4, 3] },
            { series: [5, 4] },
          ],
        },
        data,
        this.host,
      );
      window.addEventListener('resize', () => this.plot?.setSize({ width: this.Width(), height: 220 }));
    } else {
      this.plot.setData(data);
    }
  }

  private Width(): number {
    return Math.max(280, this.host.clientWidth || 600);
  }
}

// Each miner group's breakeven line, in the order the site lists them.
const kBreakevenColors = ['#d08a1e', '#2e8b57', '#7a5cc2', '#3b6fb6', '#b3261e', '#5d5d5d'];

// The power price over the last minutes, with each miner group's breakeven
// at the hashprice of each tick: a group under the price line loses money
// on each MWh it draws (before the policy's hysteresis).
export class PriceChart {
  private plot: uPlot | null = null;
  private groups = '';

  constructor(private readonly host: HTMLElement) {}

  Update(samples: Sample[], groups: string[]): void {
    if (samples.length < 2) {
      if (!this.plot) this.host.textContent = 'The price chart starts at the second tick.';
      return;
    }
    const data = PriceColumns(samples, groups) as uPlot.AlignedData;
    if (this.plot && this.groups === groups.join('\n')) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.host.textContent = '';
    this.groups = groups.join('\n');
    const usd = (_u: uPlot, v: number | null) => (v === null ? '–' : `${v.toFixed(2)} USD/MWh`);
    this.plot = new uPlot(
      {
        width: Math.max(280, this.host.clientWidth || 400),
        height: 180,
        scales: { x: { time: true } },
        axes: [{}, { label: 'USD/MWh', size: 60 }],
        series: [
          {},
          { label: 'Power price', stroke: '#1b1b1b', width: 2, value: usd },
          ...groups.map((g, k) => ({ label: `${g} breakeven`, stroke: kBreakevenColors[k % kBreakevenColors.length], width: 1.5, dash: [5, 4], value: usd })),
        ],
      },
      data,
      this.host,
    );
    window.addEventListener('resize', () => this.plot?.setSize({ width: Math.max(280, this.host.clientWidth || 400), height: 180 }));
  }
}
