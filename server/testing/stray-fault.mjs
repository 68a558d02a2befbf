// Preloaded into a server by server/main.test.ts (NODE_OPTIONS=--import): on SIGUSR2 it makes the
// fault STRAY_FAULT names, one nothing in Plenary handles, with a message the log must not show.
const message = "stray fault made by the test: alice@example.org";
process.on("SIGUSR2", () => {
  if (process.env.STRAY_FAULT === "exception") {
    setImmediate(() => {
      throw new TypeError(message);
    });
  } else {
    void Promise.reject(new RangeError(message));
  }
});
