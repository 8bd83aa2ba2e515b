// The events' timeline as DOM: an axis with hourly marks and a "now" line,
// one bar per event in force or to come, and for the one in force its
// miners' targets by state. Positions go through the CSSOM (the CSP forbids
// style attributes).

import type { EventJson } from './api_types';
import { h } from './dom';
import { ShapeTimeline } from './timeline';

const kProgress = ['pending', 'dispatching', 'dispatched', 'confirmed', 'drifted', 'unavailable'];

export function TimelineView(events: EventJson[], now: string, pending: number): HTMLElement {
  const v = ShapeTimeline(events, now, pending);
  const place = (el: HTMLElement, left: number, width?: number) => {
    el.style.left = `${(left * 100).toFixed(3)}%`;
    if (width !== undefined) el.style.width = `${(width * 100).toFixed(3)}%`;
    return el;
  };
  const axis = h('div', { class: 'tl-axis', 'aria-hidden': 'true' });
  for (const t of v.ticks) axis.append(place(h('span', { class: 'tl-tick' }, t.label), t.fraction));
  axis.append(place(h('span', { class: 'tl-now' }, 'now'), v.nowFraction));
  const lanes = v.items.map((item) => {
    const bar = place(h('div', { class: `tl-bar tl-${item.status}${item.open ? ' tl-open' : ''}`, title: `${item.label}: ${item.start} to ${item.end ?? 'until cancelled'}` }), item.left, item.width);
    return h(
      'li',
      { class: 'tl-lane', 'data-event': item.id, 'data-status': item.status },
      h('div', { class: 'tl-track' }, bar, place(h('div', { class: 'tl-nowline' }), v.nowFraction)),
      h('span', { class: 'tl-label' }, `${item.label} — ${item.status}${item.end ? ` until ${item.end.slice(11, 16)}Z` : ', until cancelled'}`),
      item.targets
        ? h(
            'ul',
            { class: 'counts tl-targets', 'aria-label': `Targets of event ${item.id}` },
            ...kProgress.map((s) => h('li', { 'data-state': s }, h('span', { class: 'n' }, item.targets![s] ?? 0), ` ${s}`)),
          )
        : null,
    );
  });
  return h(
    'div',
    { class: 'timeline', id: 'event-timeline' },
    h('h3', {}, 'Timeline'),
    axis,
    v.items.length === 0 ? h('p', { class: 'help' }, 'No event in force or to come.') : h('ol', { class: 'tl-lanes' }, ...lanes),
  );
}
