/**
 * PGlite runs each query synchronously on the process's main thread and hands its lock from one
 * waiting query to the next in microtasks: under a burst (thousands of votes at once) the event loop
 * never gets a turn, so no socket is read or written, no heartbeat is sent and clients time out until
 * the burst has drained. With PGlite, Q&A commands therefore run one at a time with a macrotask turn
 * between them (PGlite executes one query at a time anyway, so nothing is lost). On Postgres they run
 * concurrently, as the pool allows.
 */
export class CommandGate {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly serial: boolean) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.serial) return work();
    const result = this.tail.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(work);
    this.tail = result.catch(() => {});
    return result;
  }
}
