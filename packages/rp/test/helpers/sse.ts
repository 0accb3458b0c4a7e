// A Server-Sent Events reader for tests: collects the stream's text, waits for an event.
export interface SseClient {
  status: number;
  contentType: string | null;
  /** Resolves with the text so far once it contains `event: <name>`. */
  waitFor(name: string, ms?: number): Promise<string>;
  text(): string;
  /** True once the server ended the stream. */
  ended(): boolean;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  return readSse(res, () => controller.abort());
}

export function readSse(res: Response, abort: () => void = () => undefined): SseClient {
  let text = '';
  let done = false;
  const listeners = new Set<() => void>();
  if (res.body) {
    const decoder = new TextDecoder();
    void (async () => {
      const reader = res.body!.getReader();
      try {
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          text += decoder.decode(value, { stream: true });
          for (const l of listeners) l();
        }
      } catch {
        // aborted
      }
      done = true;
      for (const l of listeners) l();
    })();
  } else done = true;
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    text: () => text,
    ended: () => done,
    waitFor(name, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (text.includes(`event: ${name}\n`)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(text);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no "${name}" event within ${ms} ms; got: ${JSON.stringify(text)}`));
        }, ms);
        listeners.add(check);
        check();
      });
    },
    close: abort,
  };
}
