/**
 * Test timeouts that hold on a busy machine. Starting a server (database, migrations, seed, Next)
 * took over 30 s with a load average of 13 on 2 cores, so a start must never eat a test's own
 * timeout: servers that are only a test's setup start in beforeAll/beforeEach (the hook timeout in
 * vitest.config.ts is generous), and a test whose subject is starting, restarting or crashing servers
 * declares a budget per start with `startsInTest`.
 */
export const SERVER_START_MS = 120_000;

/** The timeout of a test that starts `starts` servers in its body: its own work plus each start's budget. */
export function startsInTest(starts: number, ownMs = 30_000): number {
  return ownMs + starts * SERVER_START_MS;
}
