// Small bars drawn against a limit: a domain's draw, a group's units by
// state. Widths go through the CSSOM (the page's CSP forbids style
// attributes), so they are set here, once, rather than in each panel.

import { h } from './dom';

// A bar filled to `value / limit` (never past the end); `over` marks a value
// above its limit. `label` is what a screen reader hears.
export function LoadBar(value: number, limit: number, label: string): HTMLElement {
  const fraction = limit > 0 ? Math.max(0, Math.min(1, value / limit)) : 0;
  const fill = h('div', { class: 'loadbar-fill' });
  fill.style.width = `${(fraction * 100).toFixed(2)}%`;
  return h(
    'div',
    { class: value > limit ? 'loadbar over' : 'loadbar', role: 'meter', 'aria-label': label, 'aria-valuemin': 0, 'aria-valuemax': limit, 'aria-valuenow': Math.round(value) },
    fill,
  );
}

// Segments side by side, each `count / total` wide, with a class each.
export function SplitBar(parts: { key: string; count: number }[], total: number, label: string): HTMLElement {
  const bar = h('div', { class: 'splitbar', role: 'img', 'aria-label': label });
  for (const p of parts) {
    if (p.count <= 0 || total <= 0) continue;
    const seg = h('div', { class: `split split-${p.key}`, title: `${p.key}: ${p.count}` });
    seg.style.width = `${((p.count / total) * 100).toFixed(3)}%`;
    bar.append(seg);
  }
  return bar;
}
