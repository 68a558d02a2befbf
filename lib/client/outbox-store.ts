/**
 * The audience's outbox in the browser: questions and votes waiting for the server's acknowledgement,
 * per person and session. A module of its own so the sign-out button (on every page) can drop every
 * queue without loading the Q&A engine.
 */

export type OutboxItem =
  { kind: "submit"; key: string; text: string; anonymous: boolean; createdAt: string } | { kind: "vote"; key: string; questionId: string; up: boolean };

/**
 * Where queued work waits, per person and session. `owner` is the opaque outbox key the server gives
 * the signed-in person (`QaSync.outboxKey`, also rendered into the page): never the user id, e-mail or
 * anything sent elsewhere. On a shared browser each person's queue is kept apart, and none is sent
 * under someone else's sign-in.
 */
export interface OutboxStore {
  load(owner: string, slug: string): OutboxItem[];
  save(owner: string, slug: string, items: OutboxItem[]): void;
  /** Drops every queue this browser holds (signing out). */
  clear(): void;
}

export function memoryStore(): OutboxStore {
  const data = new Map<string, OutboxItem[]>();
  const k = (owner: string, slug: string) => `${owner}\u0000${slug}`;
  return {
    load: (owner, slug) => [...(data.get(k(owner, slug)) ?? [])],
    save: (owner, slug, items) => void (items.length ? data.set(k(owner, slug), [...items]) : data.delete(k(owner, slug))),
    clear: () => data.clear(),
  };
}

const OUTBOX_PREFIX = "plenary.qa.outbox.";

/** The outbox survives a reload or a dead battery on this device. Per browser profile, person and session. */
export function localStore(): OutboxStore {
  const k = (owner: string, slug: string) => `${OUTBOX_PREFIX}${owner}.${slug}`;
  return {
    load(owner, slug) {
      try {
        const raw = globalThis.localStorage?.getItem(k(owner, slug));
        return raw ? (JSON.parse(raw) as OutboxItem[]) : [];
      } catch {
        return [];
      }
    },
    save(owner, slug, items) {
      try {
        if (items.length) globalThis.localStorage?.setItem(k(owner, slug), JSON.stringify(items));
        else globalThis.localStorage?.removeItem(k(owner, slug));
      } catch {
        /* storage full or disabled: the outbox still lives in memory */
      }
    },
    clear() {
      try {
        const storage = globalThis.localStorage;
        if (!storage) return;
        // Older builds keyed the queue by session only (`plenary.qa.outbox.<slug>`): those go too.
        const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((x): x is string => Boolean(x?.startsWith(OUTBOX_PREFIX)));
        for (const key of keys) storage.removeItem(key);
      } catch {
        /* storage disabled: nothing kept */
      }
    },
  };
}

/** Signing out of this browser: nothing the person queued stays behind for the next one. */
export function clearOutboxes(): void {
  localStore().clear();
}
