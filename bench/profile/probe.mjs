// Memory probe preloaded into a server (NODE_OPTIONS="--import ./bench/profile/probe.mjs --expose-gc"):
// on SIGWINCH it appends one JSON line to $PROBE_OUT with process.memoryUsage() before and after a
// full GC, the live WebAssembly memories (PGlite's heap) and the CPU time used so far;
// on SIGURG it writes a heap snapshot next to $PROBE_OUT. Not loaded by anything in production.
import fs from "node:fs";
import inspector from "node:inspector";
import v8 from "node:v8";

// Preloaded through NODE_OPTIONS it reaches every process the benchmark forks; only the server's is wanted.
const match = process.env.PROBE_MATCH;
if (!match || process.argv.slice(1).some((a) => a.includes(match))) probe();

function probe() {
  const out = process.env.PROBE_OUT || `/tmp/probe-${process.pid}.jsonl`;
  // WebAssembly.Memory has no registry; remember each one made (weakly) so its size can be reported.
  const memories = [];
  const Original = WebAssembly.Memory;
  WebAssembly.Memory = new Proxy(Original, {
    construct(target, args) {
      const m = new target(...args);
      memories.push({
        ref: new WeakRef(m),
        at: new Error().stack
          .split("\n")
          .slice(2, 4)
          .map((s) => s.trim())
          .join(" < "),
      });
      return m;
    },
  });

  const mib = (n) => Math.round((n / 2 ** 20) * 10) / 10;
  function usage() {
    const u = process.memoryUsage();
    return { rss: mib(u.rss), heapTotal: mib(u.heapTotal), heapUsed: mib(u.heapUsed), external: mib(u.external), arrayBuffers: mib(u.arrayBuffers) };
  }
  function vmrss() {
    const s = fs.readFileSync("/proc/self/status", "utf8");
    return Object.fromEntries(["VmRSS", "RssAnon", "RssFile", "VmHWM"].map((k) => [k, mib(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) * 1024)]));
  }
  function sample() {
    const before = usage();
    if (global.gc) global.gc();
    const after = usage();
    const wasm = memories.map((m) => ({ live: !!m.ref.deref(), mib: m.ref.deref() ? mib(m.ref.deref().buffer.byteLength) : 0, at: m.at }));
    const cpu = process.cpuUsage();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, mib(s.space_used_size)]));
    fs.appendFileSync(
      out,
      JSON.stringify({ t: Date.now(), before, afterGc: after, proc: vmrss(), wasm, cpuMs: { user: cpu.user / 1000, system: cpu.system / 1000 }, spaces }) +
        "\n",
    );
  }
  process.on("SIGWINCH", sample);
  // PROBE_EVERY_MS: a sample every so often (each one forces a full GC: for memory runs, not timings).
  if (Number(process.env.PROBE_EVERY_MS) > 0) setInterval(sample, Number(process.env.PROBE_EVERY_MS)).unref();
  process.on("SIGURG", () => {
    if (global.gc) global.gc();
    v8.writeHeapSnapshot(out.replace(/\.jsonl$/, "") + `-${Date.now()}.heapsnapshot`);
    fs.appendFileSync(out, JSON.stringify({ t: Date.now(), snapshot: true }) + "\n");
  });

  // PROBE_CPU_PROFILE=<file>: a V8 CPU profile of the whole life of the process (`--cpu-prof` is not
  // allowed in NODE_OPTIONS), written when it is asked to stop (SIGTERM) or exits. Open it in Chrome's
  // DevTools or summarise it with bench/profile/summarise.ts.
  const cpuFile = process.env.PROBE_CPU_PROFILE;
  if (cpuFile) {
    const session = new inspector.Session();
    session.connect();
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: Number(process.env.PROBE_CPU_INTERVAL_US) || 1000 });
    session.post("Profiler.start");
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      // The in-thread session answers synchronously, so this also works in an "exit" listener.
      session.post("Profiler.stop", (err, result) => {
        if (!err) fs.writeFileSync(cpuFile, JSON.stringify(result.profile));
      });
    };
    process.on("SIGTERM", write);
    process.on("exit", write);
  }
}
