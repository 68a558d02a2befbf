/**
 * A captioner client that behaves like commercial CART software speaking Zoom's third-party caption
 * API (StreamText, 1CapApp, …): it is given the ingest URL, POSTs each caption as
 * `text/plain; charset=utf-8` to it with `&seq=N&lang=xx-XX` appended (seq +1 per new caption), resends
 * the same seq when a POST times out or fails, and on a restart asks `…/seq` where to continue.
 */
export interface CaptionerOptions {
  /** The URL from GET /api/sessions/<slug>/captions/ingest-url (it already has a query string). */
  url: string;
  lang?: string;
  /** How long a POST may take before it is retried with the same seq. */
  timeoutMs?: number;
  retries?: number;
  /** A stand-in for the network (tests drop or delay requests with it). */
  fetch?: typeof fetch;
}

export interface CaptionerResponse {
  status: number;
  body: string;
  /** How many attempts it took. */
  attempts: number;
}

export class Captioner {
  /** The seq of the last caption sent (0: none yet). */
  seq = 0;
  readonly lang: string;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly fetcher: typeof fetch;

  constructor(opts: CaptionerOptions) {
    this.url = opts.url;
    this.lang = opts.lang ?? "en-US";
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.retries = opts.retries ?? 3;
    this.fetcher = opts.fetch ?? fetch;
  }

  /** Where `…/seq` is: the URL's path with /seq appended, same query. */
  seqUrl(): string {
    const u = new URL(this.url);
    u.pathname = `${u.pathname.replace(/\/$/, "")}/seq`;
    u.searchParams.set("lang", this.lang);
    return u.toString();
  }

  /** After a restart: continue after the last seq the server accepted. */
  async resume(): Promise<number> {
    const res = await this.fetcher(this.seqUrl());
    const body = (await res.text()).trim();
    if (res.status !== 200) throw new Error(`GET /seq answered ${res.status}: ${body}`);
    this.seq = Number(body);
    return this.seq;
  }

  /** Sends the next caption (a new seq), retrying that same seq on a timeout or network error. */
  async send(text: string): Promise<CaptionerResponse> {
    this.seq += 1;
    return this.post(text, this.seq);
  }

  /** Sends with an explicit seq (what a retry or a reordering network produces). */
  async post(text: string, seq: number, lang = this.lang): Promise<CaptionerResponse> {
    let attempts = 0;
    for (;;) {
      attempts++;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.timeoutMs);
      try {
        const res = await this.fetcher(`${this.url}&seq=${seq}&lang=${encodeURIComponent(lang)}`, {
          method: "POST",
          headers: { "content-type": "text/plain; charset=utf-8" },
          body: text,
          signal: controller.signal,
        });
        return { status: res.status, body: (await res.text()).trim(), attempts };
      } catch (err) {
        if (attempts > this.retries) throw err;
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
