/**
 * The embedded default: `livekit-server --dev` as a child process, on 127.0.0.1 only (signalling and
 * media), with its webhooks pointed at this Plenary. Ports are chosen free at start, so several
 * Plenary servers (tests, a demo beside a dev server) each run their own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Logger } from "../log";

/** `--dev` uses these keys; the server is reachable from this machine only. */
export const DEV_API_KEY = "devkey";
export const DEV_API_SECRET = "secret";

export interface EmbeddedLivekit {
  /** ws://127.0.0.1:<port> */
  url: string;
  apiKey: string;
  apiSecret: string;
  pid: number;
  /** The last lines LiveKit wrote (for diagnostics and tests: its API calls are logged here). */
  recentOutput(): string[];
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  bin: string;
  webhookUrl: string;
  log: Logger;
  /** How long to wait for LiveKit to answer on its port. */
  readyTimeoutMs?: number;
}

export class LivekitStartError extends Error {}

export function livekitBinaryPresent(bin: string): boolean {
  try {
    fs.accessSync(bin, fs.constants.X_OK);
    return fs.statSync(bin).isFile();
  } catch {
    return false;
  }
}

/** The generated configuration: loopback everywhere, no TCP media listener (it would bind every address). */
export function embeddedConfigYaml(opts: { port: number; udpPort: number; webhookUrl: string }): string {
  return [
    `port: ${opts.port}`,
    `bind_addresses: ["127.0.0.1"]`,
    `rtc:`,
    `  udp_port: ${opts.udpPort}`,
    `  tcp_port: 0`,
    `  node_ip: 127.0.0.1`,
    `  use_external_ip: false`,
    `  enable_loopback_candidate: true`,
    `  ips:`,
    `    includes: ["127.0.0.1/32"]`,
    `room:`,
    // Only Plenary creates rooms (one per streamed session); a token cannot conjure one.
    `  auto_create: false`,
    `keys:`,
    `  ${DEV_API_KEY}: ${DEV_API_SECRET}`,
    `webhook:`,
    `  api_key: ${DEV_API_KEY}`,
    `  urls: [${JSON.stringify(opts.webhookUrl)}]`,
    `logging:`,
    `  level: info`,
    "",
  ].join("\n");
}

export async function startEmbeddedLivekit(opts: EmbeddedOptions): Promise<EmbeddedLivekit> {
  if (!livekitBinaryPresent(opts.bin)) throw new LivekitStartError(`no LiveKit server binary at ${opts.bin} (scripts/install-livekit.sh builds it)`);
  let lastError: unknown;
  // A port found free can be taken before LiveKit binds it; try again with others.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastError = err;
      opts.log.warn("embedded LiveKit did not start; retrying on other ports", { attempt, err });
    }
  }
  throw lastError instanceof Error ? lastError : new LivekitStartError(String(lastError));
}

async function startOnce(opts: EmbeddedOptions): Promise<EmbeddedLivekit> {
  const port = await freeTcpPort();
  const udpPort = await freeUdpPort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plenary-livekit-"));
  const configFile = path.join(dir, "livekit.yaml");
  fs.writeFileSync(configFile, embeddedConfigYaml({ port, udpPort, webhookUrl: opts.webhookUrl }), { mode: 0o600 });

  const output: string[] = [];
  const child = spawn(opts.bin, ["--dev", "--config", configFile], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LIVEKIT_CONFIG: "", LIVEKIT_KEYS: "" },
  });
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      output.push(line);
      if (output.length > 2000) output.splice(0, output.length - 2000);
    }
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  // If this process exits without closing Plenary, do not leave LiveKit (or its configuration) behind.
  const killOnExit = () => {
    child.kill("SIGKILL");
    cleanup();
  };
  process.once("exit", killOnExit);

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, child, exited, opts.readyTimeoutMs ?? 15_000, output);
  } catch (err) {
    process.off("exit", killOnExit);
    child.kill("SIGKILL");
    await exited;
    cleanup();
    throw err;
  }
  opts.log.info("embedded LiveKit started", { livekitUrl: `ws://127.0.0.1:${port}`, udpPort, pid: child.pid });

  let stopped = false;
  return {
    url: `ws://127.0.0.1:${port}`,
    apiKey: DEV_API_KEY,
    apiSecret: DEV_API_SECRET,
    pid: child.pid!,
    recentOutput: () => [...output],
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.off("exit", killOnExit);
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    },
  };
}

async function waitUntilReady(url: string, child: ChildProcess, exited: Promise<number | null>, timeoutMs: number, output: string[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone || child.exitCode !== null) {
      throw new LivekitStartError(`livekit-server exited with code ${child.exitCode}: ${output.slice(-5).join(" | ")}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new LivekitStartError(`livekit-server did not answer on ${url} within ${timeoutMs} ms: ${output.slice(-5).join(" | ")}`);
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket("udp4");
    sock.once("error", reject);
    sock.bind(0, "127.0.0.1", () => {
      const port = sock.address().port;
      sock.close(() => resolve(port));
    });
  });
}
