import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("configuration", () => {
  it("defaults to the embedded mode on port 3000", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, dataDir: "./.data", databaseUrl: undefined, demo: false, publicUrl: undefined });
    expect(c.now).toBeUndefined();
  });
  it("reads PORT, DATA_DIR, DATABASE_URL and PLENARY_NOW", () => {
    const c = loadConfig({ PORT: "4100", DATA_DIR: "/tmp/x", DATABASE_URL: "postgres://u@127.0.0.1/db", PLENARY_NOW: "2024-05-24T09:00:00-04:00" });
    expect(c.port).toBe(4100);
    expect(c.dataDir).toBe("/tmp/x");
    expect(c.databaseUrl).toBe("postgres://u@127.0.0.1/db");
    expect(c.now?.toISOString()).toBe("2024-05-24T13:00:00.000Z");
  });
  it("accepts a leap day, Z, fractions and an empty PUBLIC_URL", () => {
    expect(loadConfig({ PLENARY_NOW: "2024-02-29T23:59:59.5Z" }).now?.toISOString()).toBe("2024-02-29T23:59:59.500Z");
    expect(loadConfig({ PUBLIC_URL: "" }).publicUrl).toBeUndefined();
  });
  it.each([
    [{ PLENARY_NOW: "2024-05-24 09:00" }, /^PLENARY_NOW /],
    [{ PLENARY_NOW: "2024-05-24T09:00:00" }, /^PLENARY_NOW .*offset/],
    [{ PLENARY_NOW: "2024-13-45T09:00:00-04:00" }, /^PLENARY_NOW is not a real date-time/],
    [{ PLENARY_NOW: "2024-02-30T09:00:00-04:00" }, /^PLENARY_NOW is not a real date-time/],
    [{ PLENARY_NOW: "2023-02-29T09:00:00Z" }, /^PLENARY_NOW is not a real date-time/],
    [{ PLENARY_NOW: "2024-05-24T24:00:00-04:00" }, /^PLENARY_NOW is not a real date-time/],
    [{ PLENARY_NOW: "2024-05-24T09:60:00-04:00" }, /^PLENARY_NOW is not a real date-time/],
    [{ PLENARY_NOW: "2024-05-24T09:00:00+25:00" }, /^PLENARY_NOW is not a real date-time/],
    [{ PORT: "seventy" }, /^PORT /],
    [{ DATABASE_URL: "mysql://x" }, /^DATABASE_URL must be a postgres/],
    [{ LIVEKIT_URL: "livekit.example.org" }, /^LIVEKIT_URL must be a ws/],
    [{ LIVEKIT_URL: "wss://livekit.example.org" }, /^LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set/],
    [{ TRUSTED_PROXIES: "10.0.0.1, proxy.example.org" }, /^TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges/],
  ])("refuses %o with one line naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("starts the embedded LiveKit by default, uses LIVEKIT_URL when given, and can be switched off", () => {
    expect(loadConfig({}).livekit).toMatchObject({ mode: "embedded", bin: expect.stringMatching(/tools\/livekit\/livekit-server$/) });
    expect(loadConfig({ LIVEKIT_BIN: "/opt/lk/livekit-server" }).livekit).toEqual({ mode: "embedded", bin: "/opt/lk/livekit-server" });
    expect(loadConfig({ LIVEKIT_BIN: "off" }).livekit).toEqual({ mode: "off" });
    expect(loadConfig({ LIVEKIT_URL: "wss://lk.example.org/", LIVEKIT_API_KEY: "k", LIVEKIT_API_SECRET: "s" }).livekit).toEqual({
      mode: "external",
      url: "wss://lk.example.org",
      apiKey: "k",
      apiSecret: "s",
    });
  });
});

describe("trusted proxies", () => {
  it("are none by default and read from TRUSTED_PROXIES as addresses and ranges", () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: " 10.0.0.1, fd00::/8 ," }).trustedProxies).toEqual(["10.0.0.1", "fd00::/8"]);
  });
});

describe("organizers and single sign-on", () => {
  it("reads PLENARY_ORGANIZERS as a list of addresses", () => {
    expect(loadConfig({ PLENARY_ORGANIZERS: " Ann@Example.org, bo@example.org ," }).organizers).toEqual(["ann@example.org", "bo@example.org"]);
    expect(() => loadConfig({ PLENARY_ORGANIZERS: "ann@example.org, nope" })).toThrow(/^PLENARY_ORGANIZERS /);
  });
  it("needs all three OIDC settings or none", () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    expect(() => loadConfig({ OIDC_ISSUER: "https://idp.example.org" })).toThrow(/must be set together/);
    expect(loadConfig({ OIDC_ISSUER: "https://idp.example.org/", OIDC_CLIENT_ID: "c", OIDC_CLIENT_SECRET: "s" }).oidc).toEqual({
      issuer: "https://idp.example.org",
      clientId: "c",
      clientSecret: "s",
      name: "your organization",
    });
  });
});
