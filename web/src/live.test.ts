import { afterEach, describe, expect, it, vi } from 'vitest';

import { SetToken } from './api';
import { DemoSite } from './fixtures';
import { LiveSite, type LiveMode } from './live';

// A stream body that sends `chunks` and then ends, as a daemon that stopped.
function StreamReply(chunks: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
}

afterEach(() => {
  vi.unstubAllGlobals();
  SetToken(null);
});

describe('LiveSite', () => {
  it('ReadsTheStreamThenPollsWhenItDropsAndTriesTheStreamAgainTheTokenInAHeader', async () => {
    const site = DemoSite();
    SetToken('mlt_secret');
    const calls: string[] = [];
    vi.stubGlobal('fetch', async (path: string, init: RequestInit) => {
      calls.push(`${path} ${JSON.stringify(init.headers)}`);
      if (path === '/api/v1/stream') return StreamReply([`event: site\ndata: ${JSON.stringify(site)}\n`, '\n']);
      return new Response(JSON.stringify(site), { status: 200 });
    });
    const modes: LiveMode[] = [];
    const sites: string[] = [];
    const live = new LiveSite({
      onSite: (s) => sites.push(s.name),
      onMode: (m) => modes.push(m),
      pollMs: 5,
      retryStreamMs: 40,
    });
    live.Start();
    await vi.waitFor(() => expect(calls.filter((c) => c.startsWith('/api/v1/stream')).length).toBeGreaterThanOrEqual(2), { timeout: 2000 });
    live.Stop();
    expect(modes.slice(0, 3)).toEqual(['connecting', 'stream', 'polling']);
    expect(modes).toContain('connecting');
    expect(sites.length).toBeGreaterThan(2);
    expect(calls.some((c) => c.startsWith('/api/v1/site'))).toBe(true);
    // The token travels in a header, never in a URL.
    for (const c of calls) {
      expect(c.split(' ')[0]).not.toContain('mlt_secret');
      expect(c).toContain('"Authorization":"Bearer mlt_secret"');
    }
  });

  it('SaysOfflineWhenNeitherAnswers', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('connection refused');
    });
    const modes: LiveMode[] = [];
    const live = new LiveSite({ onSite: () => {}, onMode: (m) => modes.push(m), pollMs: 5, retryStreamMs: 1000 });
    live.Start();
    await vi.waitFor(() => expect(modes).toContain('offline'), { timeout: 2000 });
    live.Stop();
    expect(modes[0]).toBe('connecting');
  });
});
