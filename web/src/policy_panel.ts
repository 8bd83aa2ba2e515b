// The policy parameters: the site file's and those in force, for everyone;
// for an admin, a form that changes them on the running daemon after a
// confirmation listing each change (PUT /api/v1/policy, in the audit log as
// policy.set). The loop applies them at its next tick.

import { Api } from './api';
import type { Role } from './api_types';
import { Confirm } from './dialog';
import { h, Replace } from './dom';
import { kPolicyFields, PolicyEdit, type PolicyJson, type PolicyKey } from './policy';

export class PolicyPanel {
  readonly root = h('section', { class: 'panel', id: 'policy', 'aria-labelledby': 'policy-h' });
  private readonly table = h('div', { id: 'policy-values' });
  private readonly status = h('p', { id: 'policy-status', class: 'help', role: 'status' });
  private readonly inputs = new Map<PolicyKey, HTMLInputElement>();
  private current: PolicyJson | null = null;

  constructor(role: Role, private readonly onChange: () => void) {
    const admin = role === 'admin';
    const form = h('form', { id: 'policy-form', class: 'policy-form' });
    for (const f of kPolicyFields) {
      const input = h('input', { id: `policy-${f.key}`, name: f.key, type: 'number', min: f.min, max: f.max, step: f.step, inputmode: 'decimal', disabled: !admin, 'aria-describedby': `policy-${f.key}-help` });
      this.inputs.set(f.key, input);
      form.append(h('label', { for: `policy-${f.key}` }, f.label), input, h('span', { class: 'help', id: `policy-${f.key}-help` }, f.help));
    }
    form.append(h('button', { type: 'submit', id: 'policy-set', disabled: !admin }, 'Change…'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.Submit();
    });
    Replace(
      this.root,
      h('h2', { id: 'policy-h' }, 'Policy'),
      admin ? null : h('p', { class: 'help' }, 'Only an admin changes the policy parameters.'),
      this.table,
      form,
      this.status,
    );
  }

  async Load(): Promise<void> {
    try {
      this.Show(await Api<PolicyJson>('GET', '/api/v1/policy'));
    } catch (e) {
      this.status.textContent = `Policy: ${(e as Error).message}`;
    }
  }

  private Show(p: PolicyJson): void {
    this.current = p;
    for (const f of kPolicyFields) this.inputs.get(f.key)!.value = String(p.in_force[f.key]);
    Replace(
      this.table,
      h(
        'table',
        { id: 'policy-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Parameter'), h('th', { scope: 'col', class: 'num' }, 'In force'), h('th', { scope: 'col', class: 'num' }, 'Site file'))),
        h(
          'tbody',
          {},
          ...kPolicyFields.map((f) =>
            h(
              'tr',
              { 'data-param': f.key, class: p.in_force[f.key] !== p.site_file[f.key] ? 'changed' : null },
              h('th', { scope: 'row' }, f.label),
              h('td', { class: 'num in-force' }, String(p.in_force[f.key])),
              h('td', { class: 'num' }, String(p.site_file[f.key])),
            ),
          ),
        ),
      ),
      p.set_by_operator ? h('p', { class: 'help' }, 'Set from the API: in force over the site file\'s.') : null,
    );
  }

  private async Submit(): Promise<void> {
    if (!this.current) return;
    const values: Partial<Record<PolicyKey, string>> = {};
    for (const [k, input] of this.inputs) values[k] = input.value;
    const edit = PolicyEdit(this.current.in_force, values);
    if ('error' in edit) {
      this.status.textContent = `Not changed: ${edit.error}`;
      return;
    }
    if (edit.changes.length === 0) {
      this.status.textContent = 'Nothing to change.';
      return;
    }
    const lines = [
      h('ul', {}, ...edit.changes.map((c) => h('li', {}, `${c.label}: ${c.from} → ${c.to}`))),
      h('p', {}, 'The loop applies them at its next tick; the change is in the audit log.'),
    ];
    if (!(await Confirm('Change the policy?', lines, 'Change policy'))) {
      this.status.textContent = 'Not changed.';
      this.Show(this.current);
      return;
    }
    try {
      this.Show(await Api<PolicyJson>('PUT', '/api/v1/policy', edit.body));
      this.status.textContent = `Changed: ${edit.changes.map((c) => `${c.key} ${c.to}`).join(', ')}.`;
      this.onChange();
    } catch (e) {
      this.status.textContent = `Not changed: ${(e as Error).message}`;
    }
  }
}
