// The site's state as it changes: the daemon's stream (/api/v1/stream,
// server-sent events) read through fetch(), and, while the stream is down,
// /api/v1/site polled until the stream can be opened again.

import { AuthHeaders, Api } from './api';
import type { SiteJson } from './api_types';
import { SseParser } from './sse';

export type LiveMode = 'connecting' | 'stream' | 'polling' | 'offline';

export interface LiveOptions {
  onSite: (site: SiteJson) => void;
  onMode: (mode: LiveMode) => void;
  pollMs?: number; // while polling, how often (default 2 s)
  retryStreamMs?: number; // while polling, how often to try the stream again (default 15 s)
}

export class LiveSite {
  private abort = new AbortController();
  private stopped = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: LiveOptions) {}

  Start(): void {
    void this.Stream();
  }

  Stop(): void {
    this.stopped = true;
    this.abort.abort();
    clearTimeout(this.pollTimer);
  }

  private async Stream(): Promise<void> {
    this.options.onMode('connecting');
    try {
      const r = await fetch('/api/v1/stream', {
        headers: { Accept: 'text/event-stream', ...AuthHeaders() },
        cache: 'no-store',
        credentials: 'omit',
        signal: this.abort.signal,
      });
      if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
      this.options.onMode('stream');
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const e of parser.Feed(value)) {
          if (e.event === 'site') this.options.onSite(JSON.parse(e.data) as SiteJson);
        }
      }
    } catch {
      // fall through to polling
    }
    if (!this.stopped) this.Poll(Date.now() + (this.options.retryStreamMs ?? 15000));
  }

  private Poll(retryStreamAt: number): void {
    if (this.stopped) return;
    if (Date.now() >= retryStreamAt) {
      void this.Stream();
      return;
    }
    Api<SiteJson>('GET', '/api/v1/site', undefined, this.abort.signal)
      .then((site) => {
        this.options.onMode('polling');
        this.options.onSite(site);
      })
      .catch(() => this.options.onMode('offline'))
      .finally(() => {
        this.pollTimer = setTimeout(() => this.Poll(retryStreamAt), this.options.pollMs ?? 2000);
      });
  }
}
