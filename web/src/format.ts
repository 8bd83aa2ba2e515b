// Numbers as people read them on the dashboard. Pure.

// 5161870 W -> "5.162 MW"; 41200 W -> "41.2 kW"; 0 -> "0 kW".
export function FormatPower(w: number): string {
  if (!Number.isFinite(w)) return '–';
  const abs = Math.abs(w);
  if (abs >= 1e6) return `${(w / 1e6).toFixed(3)} MW`;
  if (abs >= 1e3) return `${(w / 1e3).toFixed(1)} kW`;
  if (abs === 0) return '0 kW';
  return `${w.toFixed(0)} W`;
}

// 45 -> "45.00 USD/MWh"
export function FormatPrice(usdPerMwh: number): string {
  return Number.isFinite(usdPerMwh) ? `${usdPerMwh.toFixed(2)} USD/MWh` : '–';
}

// 0.0512 -> "0.0512 USD/TH/day"
export function FormatHashprice(usdPerThDay: number): string {
  return Number.isFinite(usdPerThDay) ? `${usdPerThDay.toFixed(4)} USD/TH/day` : '–';
}

// Seconds as an age: 4 -> "4 s", 125 -> "2 min", 7300 -> "2.0 h".
export function FormatAge(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return 'never';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

// "2026-07-15T20:00:00Z" -> "20:00:00Z" (today's times are read by the clock)
export function ClockOf(iso: string | null): string {
  if (!iso) return '–';
  const t = iso.indexOf('T');
  return t < 0 ? iso : iso.slice(t + 1);
}
