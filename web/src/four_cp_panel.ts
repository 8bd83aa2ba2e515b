// 4CP alerts an operator raises (POST /api/v1/four-cp-alerts): while one is
// in force the loop weighs the site's 4CP charge as in an alert hour of the
// site file (mining that does not earn the peak's cost sleeps). Raising and
// cancelling each ask for confirmation and are in the audit log.

import { Api } from './api';
import type { Role } from './api_types';
import { Confirm } from './dialog';
import { h, Replace } from './dom';
import { AlertBody, ShapeFourCpAlerts, type FourCpAlertsJson } from './four_cp';

export class FourCpPanel {
  readonly root = h('section', { class: 'panel', id: 'four-cp', 'aria-labelledby': 'four-cp-h' });
  private readonly list = h('div', { id: 'four-cp-list' });
  private readonly status = h('p', { id: 'four-cp-status', class: 'help', role: 'status' });
  private readonly start = h('input', { id: 'four-cp-start', type: 'datetime-local', 'aria-describedby': 'four-cp-help' });
  private readonly end = h('input', { id: 'four-cp-end', type: 'datetime-local', 'aria-describedby': 'four-cp-help' });
  private readonly canAct: boolean;
  private charge = false;

  constructor(role: Role, private readonly onChange: () => void) {
    this.canAct = role === 'operator' || role === 'admin';
  }

  async Load(): Promise<void> {
    try {
      this.Show(await Api<FourCpAlertsJson>('GET', '/api/v1/four-cp-alerts'));
    } catch (e) {
      this.status.textContent = `4CP alerts: ${(e as Error).message}`;
    }
  }

  private Show(r: FourCpAlertsJson): void {
    this.charge = r.four_cp_charge;
    const rows = ShapeFourCpAlerts(r, new Date());
    Replace(
      this.list,
      rows.length === 0
        ? h('p', { class: 'help' }, 'No alert raised.')
        : h(
            'table',
            { id: 'four-cp-table' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'State'), h('th', { scope: 'col' }, 'From'), h('th', { scope: 'col' }, 'Until'), h('th', { scope: 'col' }, 'By'), h('th', { scope: 'col' }, ''))),
            h(
              'tbody',
              {},
              ...rows.slice(0, 10).map((row) => {
                const cancel = h('button', { type: 'button', class: 'cancel-alert', disabled: !this.canAct || !row.cancellable }, 'Cancel…');
                cancel.addEventListener('click', () => void this.Cancel(row.id));
                return h('tr', { 'data-alert': row.id, class: row.state === 'in force' ? 'active' : null }, h('td', {}, row.state), h('td', {}, row.from), h('td', {}, row.until), h('td', {}, row.by), h('td', {}, row.cancellable ? cancel : null));
              }),
            ),
          ),
    );
    const form = h(
      'form',
      { id: 'four-cp-form', class: 'row' },
      h('label', { for: 'four-cp-start' }, 'From (UTC)'),
      this.start,
      h('label', { for: 'four-cp-end' }, 'Until (UTC)'),
      this.end,
      h('button', { type: 'submit', id: 'four-cp-raise', disabled: !this.canAct || !this.charge }, 'Raise alert…'),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.Raise();
    });
    Replace(
      this.root,
      h('h2', { id: 'four-cp-h' }, '4CP alerts'),
      h(
        'p',
        { class: 'help', id: 'four-cp-help' },
        this.charge
          ? 'While an alert is in force, mining that does not earn the coincident peak\'s expected charge sleeps; AI is untouched. Empty fields: from now, until cancelled.'
          : 'This site has no 4CP charge (contract.four_cp in its file): an alert would change nothing.',
      ),
      this.list,
      this.canAct ? form : h('p', { class: 'help' }, 'Only an operator or an admin raises an alert.'),
      this.status,
    );
  }

  private async Raise(): Promise<void> {
    const parsed = AlertBody(this.start.value, this.end.value);
    if ('error' in parsed) {
      this.status.textContent = `Not raised: ${parsed.error}`;
      return;
    }
    const b = parsed.body;
    const what = `From ${b.start ?? 'now'} until ${b.end ?? 'cancelled'}.`;
    if (!(await Confirm('Raise a 4CP alert?', [h('p', {}, what), h('p', {}, 'Mining that does not pay the peak\'s charge goes to sleep while it is in force.')], 'Raise alert'))) {
      this.status.textContent = 'Not raised.';
      return;
    }
    try {
      await Api('POST', '/api/v1/four-cp-alerts', b);
      this.status.textContent = `Raised: ${what}`;
      this.onChange();
      await this.Load();
    } catch (e) {
      this.status.textContent = `Not raised: ${(e as Error).message}`;
    }
  }

  private async Cancel(id: number): Promise<void> {
    if (!(await Confirm('Cancel this 4CP alert?', [h('p', {}, `Alert ${id} ends now; mining may wake at the next tick.`)], 'Cancel alert'))) return;
    try {
      await Api('DELETE', `/api/v1/four-cp-alerts/${id}`);
      this.status.textContent = `Alert ${id} cancelled.`;
      this.onChange();
      await this.Load();
    } catch (e) {
      this.status.textContent = `Not cancelled: ${(e as Error).message}`;
    }
  }
}
