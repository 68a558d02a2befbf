import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ISO_WITH_OFFSET, isRealDateTime } from "../lib/time";
import { parseTrustedProxies } from "./http/client-ip";
import { parseFrameAncestors } from "./http/security-headers";

const bool = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

/** Every environment variable Plenary reads. `.env.example` documents each one in a line. */
export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  PUBLIC_URL: z
    .url()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  DATA_DIR: z.string().min(1).default("./.data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  PLENARY_NOW: z
    .string()
    .regex(ISO_WITH_OFFSET, "must be an ISO 8601 date-time with an offset, e.g. 2024-05-24T09:00:00-04:00")
    .refine(isRealDateTime, "is not a real date-time")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  PLENARY_DEMO: bool,
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  AUTH_SECRET: z
    .string()
    .min(32, "must be at least 32 characters")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  MAIL_FROM: z.string().min(3).default("Plenary <no-reply@plenary.invalid>"),
  OIDC_ISSUER: z
    .url()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  OIDC_CLIENT_ID: z
    .string()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  OIDC_CLIENT_SECRET: z
    .string()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  OIDC_NAME: z.string().min(1).default("your organization"),
  PLENARY_ORGANIZERS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.email("must be a comma-separated list of e-mail addresses"))),
  METRICS_TOKEN: z
    .string()
    .min(16, "must be at least 16 characters")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .superRefine((list, ctx) => {
      try {
        parseTrustedProxies(list);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `must be a comma-separated list of IP addresses or CIDR ranges: ${(err as Error).message}` });
      }
    }),
  SCREEN_FRAME_ANCESTORS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? "")
        .split(/[\s,]+/)
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .transform((list, ctx) => {
      try {
        return parseFrameAncestors(list);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `must be a comma-separated list of origins such as https://stage.example.org: ${(err as Error).message}` });
        return z.NEVER;
      }
    }),
  LIVEKIT_URL: z
    .string()
    .regex(/^(wss?|https?):\/\//, "must be a ws://, wss://, http:// or https:// URL")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LIVEKIT_API_KEY: z
    .string()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LIVEKIT_API_SECRET: z
    .string()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LIVEKIT_BIN: z
    .string()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  RECORDING: z
    .enum(["recorder", "egress", "off"])
    .optional()
    .or(z.literal("").transform(() => undefined)),
  RECORDER_BIN: z
    .string()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  FFMPEG_BIN: z
    .string()
    .optional()
    .or(z.literal("").transform(() => undefined)),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  dev: boolean;
  port: number;
  host: string;
  /** The address people use; when not configured it is http://localhost:<port> once the port is known. */
  publicUrl?: string;
  dataDir: string;
  databaseUrl?: string;
  /** Redis for socket.io fan-out across instances (Redis Streams adapter); none = in-memory adapter. */
  redisUrl?: string;
  /** Fixed starting instant of the simulated clock; it then advances in real time. */
  now?: Date;
  demo: boolean;
  logLevel: Env["LOG_LEVEL"];
  /** Signs next-auth's CSRF and e-mail tokens; generated and kept in the database when not given. */
  authSecret?: string;
  smtpUrl?: string;
  mailFrom: string;
  /** OIDC single sign-on; the provider is offered only when all three are set. */
  oidc?: { issuer: string; clientId: string; clientSecret: string; name: string };
  /** E-mail addresses made organizers at start-up (how a fresh install gets its first organizer). */
  organizers: string[];
  /**
   * Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed for the client's
   * address (rate limits). Empty: the TCP peer is the client and the header is ignored.
   */
  trustedProxies: string[];
  /**
   * Origins allowed to frame the room screen (/sessions/<slug>/screen), for venues composing it into
   * their stage display. Every other page refuses to be framed by anyone.
   */
  screenFrameAncestors?: string[];
  /** Bearer token that lets a scraper other than this machine read GET /metrics; none: loopback only. */
  metricsToken?: string;
  /** Video. Absent or "off": no streaming, the session pages say so and everything else works. */
  livekit?: LivekitConfig;
  /** How "Start recording" records (server/streaming/recording.ts); absent: the track recorder with its defaults. */
  recording?: RecordingConfig;
}

/**
 * `external`: any LiveKit deployment (self-hosted or cloud). `embedded`: Plenary starts
 * `livekit-server --dev` itself, on 127.0.0.1 only, when the binary is present.
 */
export type LivekitConfig = { mode: "external"; url: string; apiKey: string; apiSecret: string } | { mode: "embedded"; bin: string } | { mode: "off" };

export interface RecordingConfig {
  /** `recorder`: tools/recorder's track recorder (the default); `egress`: LiveKit's egress service; `off`: no recording. */
  backend: "recorder" | "egress" | "off";
  /** plenary-recorder (scripts/install-recorder.sh builds it). */
  recorderBin: string;
  /** ffmpeg, which muxes the tracks into one WebM, and ffprobe beside it. */
  ffmpeg: string;
  ffprobe: string;
  /** Where finished recordings are kept (DATA_DIR/recordings). */
  dir: string;
}

/** Where scripts/install-recorder.sh puts Plenary's track recorder (ignored by git). */
export const defaultRecorderBin = fileURLToPath(new URL("../tools/recorder/bin/plenary-recorder", import.meta.url));

/**
 * The recording setup from RECORDING, RECORDER_BIN and FFMPEG_BIN. Files go to DATA_DIR/recordings
 * (a temporary folder when the database is in memory).
 */
export function recordingConfigFor(
  dataDir: string,
  e: { RECORDING?: RecordingConfig["backend"]; RECORDER_BIN?: string; FFMPEG_BIN?: string } = {},
): RecordingConfig {
  const ffmpeg = e.FFMPEG_BIN ?? "ffmpeg";
  const ffprobe = ffmpeg.includes("/") ? path.join(path.dirname(ffmpeg), "ffprobe") : "ffprobe";
  const dir = dataDir.startsWith("memory://") ? path.join(os.tmpdir(), `plenary-recordings-${process.pid}`) : path.resolve(dataDir, "recordings");
  return { backend: e.RECORDING ?? "recorder", recorderBin: e.RECORDER_BIN ?? defaultRecorderBin, ffmpeg, ffprobe, dir };
}

/** Where scripts/install-livekit.sh puts the pinned LiveKit server (ignored by git). */
export const defaultLivekitBin = fileURLToPath(new URL("../tools/livekit/livekit-server", import.meta.url));

export class ConfigError extends Error {}

/** Parses the environment once at boot; a bad value stops start-up with one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? "environment");
    throw new ConfigError(`${name} ${issue.message} (got ${JSON.stringify(env[name] ?? "")})`);
  }
  const e = parsed.data;
  return {
    dev: e.NODE_ENV === "development",
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ""),
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    now: e.PLENARY_NOW ? new Date(e.PLENARY_NOW) : undefined,
    demo: e.PLENARY_DEMO,
    logLevel: e.LOG_LEVEL,
    authSecret: e.AUTH_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    oidc: oidcConfig(e),
    organizers: e.PLENARY_ORGANIZERS,
    trustedProxies: e.TRUSTED_PROXIES,
    screenFrameAncestors: e.SCREEN_FRAME_ANCESTORS,
    metricsToken: e.METRICS_TOKEN,
    livekit: livekitConfig(e),
    recording: recordingConfigFor(e.DATA_DIR, e),
  };
}

function oidcConfig(e: Env): Config["oidc"] {
  const set = [e.OIDC_ISSUER, e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (set === 0) return undefined;
  if (set < 3) throw new ConfigError("OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together to offer single sign-on");
  return { issuer: e.OIDC_ISSUER!.replace(/\/$/, ""), clientId: e.OIDC_CLIENT_ID!, clientSecret: e.OIDC_CLIENT_SECRET!, name: e.OIDC_NAME };
}

function livekitConfig(e: Env): LivekitConfig {
  if (e.LIVEKIT_URL) {
    if (!e.LIVEKIT_API_KEY || !e.LIVEKIT_API_SECRET) throw new ConfigError("LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set with LIVEKIT_URL");
    return { mode: "external", url: e.LIVEKIT_URL.replace(/\/$/, ""), apiKey: e.LIVEKIT_API_KEY, apiSecret: e.LIVEKIT_API_SECRET };
  }
  if (e.LIVEKIT_BIN === "off") return { mode: "off" };
  return { mode: "embedded", bin: e.LIVEKIT_BIN ?? defaultLivekitBin };
}
