// The policy parameters an admin may change on the running daemon
// (PUT /api/v1/policy): their bounds as the daemon checks them
// (src/daemon/policy_params.h), and what a form's values change. Pure
// (policy.test.ts): the daemon checks again and has the last word.

export interface PolicyParamsJson {
  hysteresis_usd_per_mwh: number;
  reserve_fraction: number;
  strike_windows: number;
  strike_window_h: number;
}

export interface PolicyJson {
  site_file: PolicyParamsJson;
  in_force: PolicyParamsJson;
  set_by_operator: boolean;
}

export type PolicyKey = keyof PolicyParamsJson;

export const kPolicyFields: { key: PolicyKey; label: string; min: number; max: number; step: number; integer: boolean; help: string }[] = [
  { key: 'hysteresis_usd_per_mwh', label: 'Hysteresis (USD/MWh)', min: 0, max: 1000, step: 0.5, integer: false, help: 'mining restarts only when its margin beats the price by this much' },
  { key: 'reserve_fraction', label: 'Reserve (share of headroom)', min: 0, max: 0.5, step: 0.01, integer: false, help: 'headroom held back from mining' },
  { key: 'strike_windows', label: 'Strike windows', min: 1, max: 48, step: 1, integer: true, help: 'strike-price baseline: windows across the strike before a change' },
  { key: 'strike_window_h', label: 'Strike window (h)', min: 0.05, max: 24, step: 0.05, integer: false, help: 'strike-price baseline: length of a window' },
];

export interface PolicyChange {
  key: PolicyKey;
  label: string;
  from: number;
  to: number;
}

// The body of a PUT from the form's text values: only the fields that
// change; or the first field out of its bounds, named as the daemon names it.
export function PolicyEdit(inForce: PolicyParamsJson, values: Partial<Record<PolicyKey, string>>): { body: Partial<PolicyParamsJson>; changes: PolicyChange[] } | { error: string } {
  const body: Partial<PolicyParamsJson> = {};
  const changes: PolicyChange[] = [];
  for (const f of kPolicyFields) {
    const text = (values[f.key] ?? '').trim();
    if (text === '') continue;
    const x = Number(text);
    if (!Number.isFinite(x) || x < f.min || x > f.max || (f.integer && !Number.isInteger(x))) {
      return { error: `${f.key}: expected ${f.integer ? 'a whole number' : 'a number'} from ${f.min} to ${f.max}, got '${text}'` };
    }
    if (x !== inForce[f.key]) {
      body[f.key] = x;
      changes.push({ key: f.key, label: f.label, from: inForce[f.key], to: x });
    }
  }
  return { body, changes };
}
