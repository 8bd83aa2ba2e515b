// The backtest and plan reports of `mullet serve --reports DIR`, each a
// link to the standalone report the daemon serves (it opens in a new tab,
// exactly as the file looks).

import { Api } from './api';
import { h, Replace } from './dom';
import { ShapeReports, type ReportsJson } from './reports';

export class ReportsPanel {
  readonly root = h('section', { class: 'panel', id: 'reports', 'aria-labelledby': 'reports-h' });

  async Load(): Promise<void> {
    try {
      this.Show(await Api<ReportsJson>('GET', '/api/v1/reports'));
    } catch (e) {
      Replace(this.root, h('h2', { id: 'reports-h' }, 'Reports'), h('p', { class: 'error' }, `Reports: ${(e as Error).message}`));
    }
  }

  private Show(r: ReportsJson): void {
    const rows = ShapeReports(r);
    Replace(
      this.root,
      h('h2', { id: 'reports-h' }, 'Reports'),
      !r.configured
        ? h('p', { class: 'help' }, 'Start the daemon with --reports DIR to browse the backtest and plan reports written there (mullet backtest … --out DIR/NAME).')
        : rows.length === 0
          ? h('p', { class: 'help' }, 'No report in the --reports folder yet.')
          : h(
              'table',
              { id: 'reports-table' },
              h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Report'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Written'), h('th', { scope: 'col', class: 'num' }, 'Size'))),
              h(
                'tbody',
                {},
                ...rows.map((row) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: row.href, target: '_blank', rel: 'noopener noreferrer' }, row.title)),
                    h('td', {}, row.kind),
                    h('td', {}, row.when),
                    h('td', { class: 'num' }, row.size),
                  ),
                ),
              ),
            ),
    );
  }
}
