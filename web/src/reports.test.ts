import { describe, expect, it } from 'vitest';

import { FormatBytes, ShapeReports } from './reports';

describe('ShapeReports', () => {
  it('NamesEachKindAndKeepsTheServedOrder', () => {
    const rows = ShapeReports({
      configured: true,
      reports: [
        { name: 'pivot', kind: 'plan', title: 'The pivot', modified: '2026-12-03T15:27:04Z', bytes: 117664, href: '/reports/pivot/report.html' },
        { name: 'hybrid', kind: 'backtest', title: 'hybrid', modified: '2026-12-02T09:00:00Z', bytes: 532520, href: '/reports/hybrid/report.html' },
        { name: 'x', kind: 'report', title: 'x', modified: '2026-12-01T00:00:00Z', bytes: 900, href: '/reports/x/report.html' },
      ],
    });
    expect(rows.map((r) => [r.title, r.kind, r.when, r.size])).toEqual([
      ['The pivot (pivot)', 'Plan', '2026-12-03 15:27 UTC', '115 KiB'],
      ['hybrid', 'Backtest', '2026-12-02 09:00 UTC', '520 KiB'],
      ['x', 'Report', '2026-12-01 00:00 UTC', '900 B'],
    ]);
  });

  it('DropsALinkThatDoesNotPointAtAReport', () => {
    const rows = ShapeReports({
      configured: true,
      reports: [
        { name: 'a', kind: 'plan', title: 'a', modified: '2026-12-03T00:00:00Z', bytes: 1, href: 'https://elsewhere.example/report.html' },
        { name: 'b', kind: 'plan', title: 'b', modified: '2026-12-03T00:00:00Z', bytes: 1, href: '/reports/../secret/report.html' },
        { name: 'c', kind: 'plan', title: 'c', modified: '2026-12-03T00:00:00Z', bytes: 1, href: '/reports/c/report.html' },
        { name: 'd e', kind: 'plan', title: 'd e', modified: '2026-12-03T00:00:00Z', bytes: 1, href: '/reports/d%20e/report.html' },
        { name: 'f', kind: 'plan', title: 'f', modified: '2026-12-03T00:00:00Z', bytes: 1, href: '/reports/f/x/report.html' },
      ],
    });
    expect(rows.map((r) => r.href)).toEqual(['/reports/c/report.html', '/reports/d%20e/report.html']);
  });

  it('FormatsSizes', () => {
    expect(FormatBytes(0)).toBe('0 B');
    expect(FormatBytes(2048)).toBe('2 KiB');
    expect(FormatBytes(3.5 * 1024 * 1024)).toBe('3.5 MiB');
  });
});
