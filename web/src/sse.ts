// Server-sent events (the WHATWG HTML standard, "Parsing an event stream")
// read from a fetch() body rather than EventSource, so that a bearer token
// travels in the Authorization header and never in a URL.

export interface SseEvent {
  event: string; // "message" unless the stream names it
  data: string;
  id: string | null;
}

// Feeds text as it arrives, in chunks cut anywhere, and returns the events
// each chunk completes. Lines end with \n, \r\n or \r; ":" lines are comments
// (heartbeats); an event without data lines is not dispatched.
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;

  Feed(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (!m) break;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const e = this.Line(line);
      if (e) out.push(e);
    }
    return out;
  }

  private Line(line: string): SseEvent | null {
    if (line === '') {
      const e = this.data.length ? { event: this.event || 'message', data: this.data.join('\n'), id: this.id } : null;
      this.data = [];
      this.event = '';
      return e;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
    return null;
  }
}
