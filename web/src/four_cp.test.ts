import { describe, expect, it } from 'vitest';

import { AlertBody, ShapeFourCpAlerts, type FourCpAlertJson } from './four_cp';

const base: FourCpAlertJson = {
  id: 1,
  start: null,
  end: null,
  source: 'api',
  source_id: 'k',
  created: '2026-08-10T19:00:00Z',
  created_by: 'token 2 (ops)',
  cancelled: null,
  active: false,
};

describe('ShapeFourCpAlerts', () => {
  it('TellsEachAlertsStateAtTheClock', () => {
    const now = new Date('2026-08-10T20:30:00Z');
    const rows = ShapeFourCpAlerts(
      {
        four_cp_charge: true,
        alerts: [
          { ...base, id: 4, start: '2026-08-11T20:00:00Z', end: '2026-08-11T22:00:00Z' },
          { ...base, id: 3, active: true },
          { ...base, id: 2, start: '2026-08-10T18:00:00Z', end: '2026-08-10T19:00:00Z' },
          { ...base, id: 1, cancelled: '2026-08-10T19:30:00Z' },
        ],
      },
      now,
    );
    expect(rows.map((r) => [r.id, r.state, r.cancellable])).toEqual([
      [4, 'to come', true],
      [3, 'in force', true],
      [2, 'ended', false],
      [1, 'cancelled', false],
    ]);
    expect(rows[1].from).toBe('2026-08-10 19:00 UTC');
    expect(rows[1].until).toBe('no end (until cancelled)');
    expect(rows[0].until).toBe('2026-08-11 22:00 UTC');
  });
});

describe('AlertBody', () => {
  it('ReadsTheFieldsAsUtcAndLeavesOutEmptyOnes', () => {
    expect(AlertBody('', '')).toEqual({ body: {} });
    expect(AlertBody('2026-08-10T20:00', '2026-08-10T22:00')).toEqual({ body: { start: '2026-08-10T20:00:00Z', end: '2026-08-10T22:00:00Z' } });
    expect(AlertBody('', '2026-08-10T22:00:30')).toEqual({ body: { end: '2026-08-10T22:00:30Z' } });
  });

  it('NamesTheFieldItCannotRead', () => {
    expect(AlertBody('tomorrow', '')).toEqual({ error: "start: expected a UTC time such as 2026-08-10T20:00, got 'tomorrow'" });
    expect(AlertBody('2026-08-10T22:00', '2026-08-10T20:00')).toEqual({ error: 'end: must be after start' });
  });
});
