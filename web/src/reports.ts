// The reports a daemon started with --reports serves (GET /api/v1/reports):
// shaped for the list, newest first as served, each with its kind in words.

export interface ReportJson {
  name: string;
  kind: 'backtest' | 'plan' | 'report';
  title: string;
  modified: string;
  bytes: number;
  href: string;
}

export interface ReportsJson {
  reports: ReportJson[];
  configured: boolean; // whether the daemon was started with --reports
}

export interface ReportRow {
  title: string;
  kind: string;
  when: string;
  size: string;
  href: string;
}

const kKinds: Record<string, string> = { backtest: 'Backtest', plan: 'Plan', report: 'Report' };

export function FormatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// Only links the daemon gave under /reports/ are kept: a row never points
// anywhere else, whatever a folder's name holds.
export function ShapeReports(r: ReportsJson): ReportRow[] {
  return r.reports
    .filter((e) => /^\/reports\/[A-Za-z0-9._~%-]+\/report\.html$/.test(e.href) && !e.href.includes('..'))
    .map((e) => ({
      title: e.title === e.name ? e.name : `${e.title} (${e.name})`,
      kind: kKinds[e.kind] ?? 'Report',
      when: e.modified.replace('T', ' ').replace(/:\d\dZ$/, ' UTC'),
      size: FormatBytes(e.bytes),
      href: e.href,
    }));
}
