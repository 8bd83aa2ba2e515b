import { describe, expect, it } from 'vitest';

import { PolicyEdit, type PolicyParamsJson } from './policy';

const inForce: PolicyParamsJson = { hysteresis_usd_per_mwh: 2, reserve_fraction: 0, strike_windows: 1, strike_window_h: 1 };

describe('PolicyEdit', () => {
  it('SendsOnlyTheFieldsThatChange', () => {
    expect(PolicyEdit(inForce, { hysteresis_usd_per_mwh: '2', reserve_fraction: '0.05', strike_windows: ' 3 ', strike_window_h: '' })).toEqual({
      body: { reserve_fraction: 0.05, strike_windows: 3 },
      changes: [
        { key: 'reserve_fraction', label: 'Reserve (share of headroom)', from: 0, to: 0.05 },
        { key: 'strike_windows', label: 'Strike windows', from: 1, to: 3 },
      ],
    });
    expect(PolicyEdit(inForce, {})).toEqual({ body: {}, changes: [] });
  });

  it('NamesTheFirstFieldOutOfItsBounds', () => {
    expect(PolicyEdit(inForce, { reserve_fraction: '0.9' })).toEqual({ error: "reserve_fraction: expected a number from 0 to 0.5, got '0.9'" });
    expect(PolicyEdit(inForce, { strike_windows: '2.5' })).toEqual({ error: "strike_windows: expected a whole number from 1 to 48, got '2.5'" });
    expect(PolicyEdit(inForce, { hysteresis_usd_per_mwh: 'abc' })).toEqual({ error: "hysteresis_usd_per_mwh: expected a number from 0 to 1000, got 'abc'" });
    expect(PolicyEdit(inForce, { strike_window_h: '0.01' })).toHaveProperty('error');
  });
});
