import { describe, expect, it } from 'vitest';

import { SseParser } from './sse';

describe('SseParser', () => {
  it('ReadsEventsCutAnywhereIntoChunks', () => {
    const p = new SseParser();
    const text = ': hello\n\nevent: site\ndata: {"a":1}\nid: 7\n\ndata: x\r\ndata: y\r\n\r\n';
    const got = [];
    for (const ch of text) got.push(...p.Feed(ch));
    expect(got).toEqual([
      { event: 'site', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'x\ny', id: '7' },
    ]);
  });

  it('IgnoresCommentsAndEventsWithoutData', () => {
    const p = new SseParser();
    expect(p.Feed(':keepalive\n\nevent: nothing\n\n')).toEqual([]);
  });

  it('WaitsForTheEndOfAnEvent', () => {
    const p = new SseParser();
    expect(p.Feed('data: {"partial"')).toEqual([]);
    expect(p.Feed(':true}\n')).toEqual([]);
    expect(p.Feed('\n')).toEqual([{ event: 'message', data: '{"partial":true}', id: null }]);
  });
});
