#!/usr/bin/env node
// `npm run cluster`: Plenary as an operator runs it past one machine, all on 127.0.0.1:
//   PostgreSQL and Redis, two LiveKit nodes in LiveKit's multi-node mode (sharing that Redis),
//   two Plenary instances (the production build, as `npm start` runs it) on that Postgres with the
//   socket.io Redis Streams adapter, and HAProxy in front: sticky sessions for engine.io (a cookie),
//   health checks on /healthz, and a second frontend balancing LiveKit's signalling over both nodes.
// Ctrl-C or SIGTERM stops everything. docs/operations.md explains the topology.
//
//   node scripts/cluster.mjs [--base-port 41500 | --ports auto] [--data DIR] [--fresh] [--max-seconds N] [--quiet]
//
// When everything is up it prints the URLs and one machine-readable line, `cluster: ready {json}`
// (pids and ports), which the failover tests read (scripts/cluster.test.ts).
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// ── Options ───────────────────────────────────────────────────────────────────────────────────────
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) return true;
  return v;
}
const flag = (name) => process.argv.includes(`--${name}`);
const dataRoot = path.resolve(String(option("data", path.join(root, "tools", "run", "cluster"))));
const quiet = flag("quiet");
const maxSeconds = Number(option("max-seconds", 0));
const autoPorts = option("ports", "") === "auto";
const basePort = Number(option("base-port", 41500));
const livekitBin = process.env.LIVEKIT_BIN || path.join(root, "tools", "livekit", "livekit-server");

function fail(message) {
  process.stderr.write(`cluster: ${message}\n`);
  process.exit(1);
}

function which(cmd) {
  const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

// Every part must be there; a missing one is named with the command that installs it.
const haproxy = which("haproxy") ?? (fs.existsSync("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : null);
if (!haproxy) fail("HAProxy is not installed (apt-get install -y haproxy, or bash scripts/ensure-deps.sh)");
const pgbin = fs.existsSync("/usr/lib/postgresql")
  ? fs
      .readdirSync("/usr/lib/postgresql")
      .sort((a, b) => Number(a) - Number(b))
      .map((v) => `/usr/lib/postgresql/${v}/bin`)
      .filter((d) => fs.existsSync(`${d}/postgres`))
      .at(-1)
  : undefined;
if (!pgbin) fail("PostgreSQL is not installed (bash scripts/ensure-deps.sh)");
const redisServer = which("redis-server");
if (!redisServer) fail("redis-server is not installed (bash scripts/ensure-deps.sh)");
if (!fs.existsSync(livekitBin)) fail(`no LiveKit server at ${livekitBin} (bash scripts/install-livekit.sh, or set LIVEKIT_BIN)`);

// ── Ports ─────────────────────────────────────────────────────────────────────────────────────────
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
const names = ["web", "plenaryA", "plenaryB", "postgres", "redis", "livekit", "stats", "livekit1", "livekit1Udp", "livekit2", "livekit2Udp"];
const ports = {};
if (autoPorts) {
  // Tests: ports free a moment ago (several runs can share the machine). UDP ports come from the same
  // pool; a TCP port free on loopback is almost always free for UDP too.
  const taken = new Set();
  for (const n of names) {
    let p;
    do p = await freePort();
    while (taken.has(p));
    taken.add(p);
    ports[n] = p;
  }
} else {
  names.forEach((n, i) => (ports[n] = basePort + i));
}

// ── Data ──────────────────────────────────────────────────────────────────────────────────────────
if (flag("fresh")) fs.rmSync(dataRoot, { recursive: true, force: true });
fs.mkdirSync(path.join(dataRoot, "logs"), { recursive: true });
const secretsFile = path.join(dataRoot, "secrets.json");
// One AUTH_SECRET and one LiveKit key pair for the whole cluster: every instance must verify what
// another signed (sign-in tokens, outbox keys, LiveKit webhooks and tokens).
const secrets = fs.existsSync(secretsFile)
  ? JSON.parse(fs.readFileSync(secretsFile, "utf8"))
  : { authSecret: randomBytes(32).toString("base64url"), livekitKey: "plenary-cluster", livekitSecret: randomBytes(32).toString("base64url") };
fs.writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });

// ── Children ──────────────────────────────────────────────────────────────────────────────────────
const children = []; // { name, child, exited }
let stopping = false;

function start(name, cmd, args, opts = {}) {
  const log = fs.openSync(path.join(dataRoot, "logs", `${name}.log`), "a");
  const child = spawn(cmd, args, { cwd: root, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], uid: opts.uid, gid: opts.gid });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const echo = opts.echo && !quiet;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = "";
    stream.on("data", (chunk) => {
      fs.writeSync(log, chunk);
      if (!echo) return;
      const lines = (rest + chunk.toString("utf8")).split("\n");
      rest = lines.pop();
      for (const line of lines) if (line) process.stdout.write(`[${name}] ${line}\n`);
    });
  }
  const entry = { name, child, exited, pid: child.pid };
  children.push(entry);
  void exited.then(({ code, signal }) => {
    fs.closeSync(log);
    if (!stopping) process.stdout.write(`cluster: ${name} (pid ${child.pid}) exited (${signal ?? `code ${code}`})\n`);
  });
  return entry;
}

async function waitFor(what, check, timeoutMs, entry) {
  const until = Date.now() + timeoutMs;
  let gone = false;
  void entry?.exited.then(() => (gone = true));
  while (Date.now() < until) {
    if (gone) throw new Error(`${what} exited while starting (see ${path.join(dataRoot, "logs", `${entry.name}.log`)})`);
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s${entry ? ` (see ${path.join(dataRoot, "logs", `${entry.name}.log`)})` : ""}`);
}

const tcpOpen = (port) =>
  new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
const httpOk = async (url) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

async function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  process.stdout.write("cluster: stopping…\n");
  // Plenary first (it drains its sockets), then what it depends on.
  const order = ["plenary-a", "plenary-b", "haproxy", "livekit-1", "livekit-2", "redis", "postgres"];
  for (const name of order) {
    const e = children.find((c) => c.name === name);
    if (!e || e.child.exitCode !== null || e.child.signalCode !== null) continue;
    // Postgres: SIGINT is its "fast" shutdown (SIGTERM waits for every client to leave).
    e.child.kill(name === "postgres" ? "SIGINT" : "SIGTERM");
    const timer = setTimeout(() => e.child.kill("SIGKILL"), 12_000);
    await e.exited;
    clearTimeout(timer);
  }
  process.exit(exitCode);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));
if (maxSeconds > 0) {
  // Bounded for tests: a run that is never stopped stops itself.
  setTimeout(() => {
    process.stdout.write(`cluster: --max-seconds ${maxSeconds} reached\n`);
    void stopAll(0);
  }, maxSeconds * 1000).unref();
}

// ── The production build, once, before two instances start ────────────────────────────────────────
{
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "start.mjs"), "--build-only"], {
    cwd: root,
    stdio: quiet ? ["ignore", "ignore", "inherit"] : "inherit",
  });
  if (r.status !== 0) fail("the production build failed");
}

try {
  // ── PostgreSQL ──────────────────────────────────────────────────────────────────────────────────
  const pgdata = path.join(dataRoot, "pg");
  const asRoot = process.getuid?.() === 0;
  let pgUser = {};
  if (asRoot) {
    // Postgres refuses to run as root: its own system user, as scripts/services.sh does.
    if (spawnSync("id", ["postgres"]).status !== 0) execFileSync("useradd", ["-r", "-M", "postgres"]);
    pgUser = {
      uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
      gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
    };
  }
  if (!fs.existsSync(path.join(pgdata, "PG_VERSION"))) {
    fs.mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    if (asRoot) fs.chownSync(pgdata, pgUser.uid, pgUser.gid);
    const r = spawnSync(`${pgbin}/initdb`, ["-D", pgdata, "-A", "trust", "-U", "plenary"], { stdio: ["ignore", "ignore", "inherit"], ...pgUser });
    if (r.status !== 0) throw new Error("initdb failed");
  }
  const postgres = start(
    "postgres",
    `${pgbin}/postgres`,
    ["-D", pgdata, "-p", String(ports.postgres), "-k", pgdata, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
    pgUser,
  );
  const databaseUrl = `postgres://plenary@127.0.0.1:${ports.postgres}/postgres`;
  await waitFor("PostgreSQL", () => spawnSync(`${pgbin}/pg_isready`, ["-h", "127.0.0.1", "-p", String(ports.postgres)]).status === 0, 30_000, postgres);

  // ── Redis ───────────────────────────────────────────────────────────────────────────────────────
  const redis = start("redis", redisServer, ["--port", String(ports.redis), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dataRoot]);
  const redisUrl = `redis://127.0.0.1:${ports.redis}`;
  await waitFor("Redis", () => tcpOpen(ports.redis), 15_000, redis);

  // ── HAProxy (before the instances: LiveKit's webhooks reach Plenary through it) ─────────────────
  const web = `http://127.0.0.1:${ports.web}`;
  const haproxyCfg = path.join(dataRoot, "haproxy.cfg");
  fs.writeFileSync(haproxyCfg, haproxyConfig());
  const check = spawnSync(haproxy, ["-c", "-q", "-f", haproxyCfg], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`HAProxy refused its configuration: ${check.stderr || check.stdout}`);
  const lb = start("haproxy", haproxy, ["-db", "-f", haproxyCfg]);
  await waitFor("HAProxy", () => tcpOpen(ports.web), 15_000, lb);

  // ── LiveKit, two nodes on one Redis ─────────────────────────────────────────────────────────────
  const livekitNodes = [];
  for (const [i, port, udp] of [
    [1, ports.livekit1, ports.livekit1Udp],
    [2, ports.livekit2, ports.livekit2Udp],
  ]) {
    const file = path.join(dataRoot, `livekit-${i}.yaml`);
    fs.writeFileSync(file, livekitConfig({ port, udp, webhookUrl: `${web}/api/livekit/webhook` }), { mode: 0o600 });
    // LIVEKIT_CONFIG / LIVEKIT_KEYS in the environment would override the file (an empty one included).
    const env = { ...process.env };
    delete env.LIVEKIT_CONFIG;
    delete env.LIVEKIT_KEYS;
    const node = start(`livekit-${i}`, livekitBin, ["--config", file], { env });
    livekitNodes.push({ node, port, udp });
  }
  for (const { node, port } of livekitNodes) await waitFor(`LiveKit ${node.name}`, () => httpOk(`http://127.0.0.1:${port}/`), 30_000, node);

  // ── Plenary, two instances ──────────────────────────────────────────────────────────────────────
  const plenaryEnv = (port, name) => {
    const env = {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: web,
      DATA_DIR: path.join(dataRoot, name),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      AUTH_SECRET: secrets.authSecret,
      TRUSTED_PROXIES: "127.0.0.1",
      LIVEKIT_URL: `ws://127.0.0.1:${ports.livekit}`,
      LIVEKIT_API_KEY: secrets.livekitKey,
      LIVEKIT_API_SECRET: secrets.livekitSecret,
    };
    delete env.LIVEKIT_BIN;
    // A simulated clock (PLENARY_NOW) starts when its process starts: the instance started later gets
    // a later start, so that every instance's clock shows the same "now".
    if (process.env.PLENARY_NOW) {
      clockStartedAt ??= Date.now();
      env.PLENARY_NOW = new Date(Date.parse(process.env.PLENARY_NOW) + (Date.now() - clockStartedAt)).toISOString();
    }
    return env;
  };
  let clockStartedAt;
  const instances = [];
  // One after the other: the first runs the migrations and the seed, the second finds them done.
  for (const [name, port] of [
    ["plenary-a", ports.plenaryA],
    ["plenary-b", ports.plenaryB],
  ]) {
    const p = start(name, process.execPath, [path.join(root, "scripts", "start.mjs")], { env: plenaryEnv(port, name), echo: true });
    // Generous: on a busy machine one start has taken over two minutes.
    await waitFor(`Plenary ${name}`, () => httpOk(`http://127.0.0.1:${port}/healthz`), 300_000, p);
    instances.push({ name, port, pid: p.pid });
  }
  // The balancer sends traffic once its health checks saw both instances up.
  await waitFor(
    "HAProxy's health checks",
    async () => (await backendStates()).filter((s) => s.backend === "plenary" && ["a", "b"].includes(s.server) && s.status === "UP").length === 2,
    20_000,
    lb,
  );

  const ready = {
    web,
    stats: `http://127.0.0.1:${ports.stats}/stats`,
    livekit: `ws://127.0.0.1:${ports.livekit}`,
    livekitKey: secrets.livekitKey,
    livekitSecret: secrets.livekitSecret,
    databaseUrl,
    redisUrl,
    logs: path.join(dataRoot, "logs"),
    pids: Object.fromEntries(children.map((c) => [c.name, c.pid])),
    instances: instances.map((i) => ({ name: i.name, url: `http://127.0.0.1:${i.port}`, pid: i.pid })),
    livekitNodes: livekitNodes.map(({ node, port, udp }) => ({ name: node.name, url: `ws://127.0.0.1:${port}`, udpPort: udp, pid: node.pid })),
  };
  process.stdout.write(
    [
      "",
      "Plenary cluster is up (127.0.0.1 only):",
      `  Plenary, through HAProxy      ${web}`,
      ...instances.map((i) => `    ${i.name.padEnd(26)} http://127.0.0.1:${i.port}  (pid ${i.pid})`),
      `  HAProxy statistics            ${ready.stats}`,
      `  LiveKit, through HAProxy      ${ready.livekit}`,
      ...ready.livekitNodes.map((n) => `    ${n.name.padEnd(26)} ${n.url}  (UDP ${n.udpPort}, pid ${n.pid})`),
      `  PostgreSQL                    ${databaseUrl}`,
      `  Redis                         ${redisUrl}`,
      `  Logs                          ${ready.logs}`,
      "Ctrl-C stops everything.",
      "",
    ].join("\n") + "\n",
  );
  process.stdout.write(`cluster: ready ${JSON.stringify(ready)}\n`);
} catch (err) {
  process.stderr.write(`cluster: ${err.message}\n`);
  await stopAll(1);
}

// ── Configuration ─────────────────────────────────────────────────────────────────────────────────
function haproxyConfig() {
  return `# Generated by scripts/cluster.mjs (docs/operations.md explains each part).
global
    maxconn 4000
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    # Only errors, retries and redispatches: not every long-polling request.
    option dontlog-normal
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # WebSockets (socket.io, LiveKit signalling) stay open: the tunnel timeout applies once upgraded.
    timeout tunnel 1h
    # A request whose sticky server is down (refused: a crash) goes to another server at its first
    # retry, not after the default last one, so a failing-over page waits no turn-around timer.
    option redispatch 1
    retries 3

frontend web
    bind 127.0.0.1:${ports.web}
    option forwardfor
    default_backend plenary

backend plenary
    balance roundrobin
    # engine.io's long-polling sends each request of one connection separately: they must reach the
    # instance that holds the connection. The cookie pins a browser to one instance.
    cookie plenary_lb insert indirect nocache httponly
    option httpchk GET /healthz
    http-check expect status 200
    # Two kinds of failure, told apart. A dead instance refuses connections: real traffic sees that
    # first (observe layer4) and takes it out at once, before any check has failed. A busy one (the
    # survivor of a crash, with every page reconnecting to it on a 2-core machine) still accepts but
    # may answer /healthz slowly: it must not be taken out for that, or the balancer is left with no
    # server at all. So a check may take 10 s to answer and it takes 4 failures in a row: a refused
    # check fails at once (out in about 2 s), a slow one only after 4 × 10 s.
    timeout check 10s
    default-server inter 1s fastinter 500ms downinter 2s fall 4 rise 2 observe layer4 error-limit 3 on-error mark-down
    server a 127.0.0.1:${ports.plenaryA} check cookie a
    server b 127.0.0.1:${ports.plenaryB} check cookie b

frontend livekit
    bind 127.0.0.1:${ports.livekit}
    default_backend livekit

backend livekit
    # Any node can take a signalling connection: it bridges it to the node hosting the room (Redis).
    balance leastconn
    option httpchk GET /
    default-server inter 1s fall 2 rise 2
    server node1 127.0.0.1:${ports.livekit1} check
    server node2 127.0.0.1:${ports.livekit2} check

frontend stats
    bind 127.0.0.1:${ports.stats}
    stats enable
    stats uri /stats
    stats refresh 5s
`;
}

function livekitConfig({ port, udp, webhookUrl }) {
  return [
    `port: ${port}`,
    `bind_addresses: ["127.0.0.1"]`,
    // Multi-node: the nodes share this Redis for room state and as their message bus.
    `redis:`,
    `  address: 127.0.0.1:${ports.redis}`,
    `rtc:`,
    `  udp_port: ${udp}`,
    `  tcp_port: 0`,
    `  node_ip: 127.0.0.1`,
    `  use_external_ip: false`,
    `  enable_loopback_candidate: true`,
    `  ips:`,
    `    includes: ["127.0.0.1/32"]`,
    `node_selector:`,
    `  kind: any`,
    `room:`,
    `  auto_create: false`,
    `keys:`,
    `  ${secrets.livekitKey}: ${secrets.livekitSecret}`,
    `webhook:`,
    `  api_key: ${secrets.livekitKey}`,
    `  urls: [${JSON.stringify(webhookUrl)}]`,
    `logging:`,
    `  level: info`,
    "",
  ].join("\n");
}

/** HAProxy's view of its servers, from the statistics page's CSV. */
async function backendStates() {
  const csv = await (await fetch(`http://127.0.0.1:${ports.stats}/stats;csv`, { signal: AbortSignal.timeout(2000) })).text();
  const [header, ...rows] = csv.trim().split("\n");
  const cols = header.replace(/^# /, "").split(",");
  return rows.map((r) => {
    const v = r.split(",");
    return { backend: v[cols.indexOf("pxname")], server: v[cols.indexOf("svname")], status: v[cols.indexOf("status")] };
  });
}
