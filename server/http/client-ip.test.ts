import { describe, expect, it } from "vitest";
import { addressGroup, ipv6SiteGroup } from "../auth/address-groups";
import { clientAddress, isLoopback, parseTrustedProxies } from "./client-ip";

describe("the client's address", () => {
  it("is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("192.0.2.10", "203.0.113.1", undefined)).toBe("192.0.2.10");
    expect(clientAddress("::ffff:192.0.2.10", undefined, undefined)).toBe("192.0.2.10");
    expect(clientAddress("192.0.2.10", "203.0.113.1", parseTrustedProxies(["10.0.0.0/8"]))).toBe("192.0.2.10");
  });

  it("behind trusted proxies is the rightmost X-Forwarded-For address that is not one of them", () => {
    const trusted = parseTrustedProxies(["10.0.0.0/8", "fd00::/8"]);
    expect(clientAddress("10.0.0.2", "203.0.113.1", trusted)).toBe("203.0.113.1");
    expect(clientAddress("10.0.0.2", "198.51.100.9, 203.0.113.1, 10.0.0.7", trusted)).toBe("203.0.113.1");
    expect(clientAddress("::ffff:10.0.0.2", ["198.51.100.9", "203.0.113.1"], trusted)).toBe("203.0.113.1");
    expect(clientAddress("fd00::5", "2001:db8::1", trusted)).toBe("2001:db8::1");
    expect(clientAddress("10.0.0.2", "[2001:db8::1]:4711", trusted)).toBe("2001:db8::1");
    // Garbage is not believed: the last address a trusted proxy vouched for stands.
    expect(clientAddress("10.0.0.2", "not-an-ip, 10.0.0.9", trusted)).toBe("10.0.0.9");
    expect(clientAddress("10.0.0.2", undefined, trusted)).toBe("10.0.0.2");
  });

  it("refuses entries of TRUSTED_PROXIES that are not addresses or ranges", () => {
    expect(parseTrustedProxies([])).toBeUndefined();
    expect(() => parseTrustedProxies(["proxy.example.org"])).toThrow(/not an IP address/);
    expect(() => parseTrustedProxies(["10.0.0.0/33"])).toThrow(/prefix length/);
    expect(parseTrustedProxies(["2001:db8::/32"])!.has("2001:db8:ffff::1")).toBe(true);
  });
});

describe("loopback (who may read /metrics without a token)", () => {
  it("is 127.0.0.0/8 and ::1, mapped or not; anything else, or nothing, is not", () => {
    for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) expect(isLoopback(a), a).toBe(true);
    for (const a of ["10.0.0.1", "203.0.113.9", "2001:db8::1", "::ffff:10.0.0.1", "", "unknown", "localhost"]) expect(isLoopback(a), a).toBe(false);
  });

  it("behind a trusted proxy on this machine is decided by the client the proxy names, not by the proxy", () => {
    const trusted = parseTrustedProxies(["127.0.0.1"]);
    expect(isLoopback(clientAddress("127.0.0.1", "203.0.113.9", trusted))).toBe(false);
    expect(isLoopback(clientAddress("127.0.0.1", undefined, trusted))).toBe(true);
    // Without trusted proxies a client's X-Forwarded-For is never believed.
    expect(clientAddress("203.0.113.9", "127.0.0.1", undefined)).toBe("203.0.113.9");
  });
});

describe("address groups for rate limits", () => {
  it("keep IPv4 addresses apart and group IPv6 addresses by /64", () => {
    expect(addressGroup("192.0.2.10")).toBe("192.0.2.10");
    expect(addressGroup("::ffff:192.0.2.10")).toBe("192.0.2.10");
    expect(addressGroup("2001:db8:aa:1::1")).toBe("2001:db8:aa:1::/64");
    expect(addressGroup("2001:0DB8:00aa:0001:ffff:ffff:ffff:ffff")).toBe("2001:db8:aa:1::/64");
    expect(addressGroup("2001:db8::")).toBe("2001:db8:0:0::/64");
    expect(addressGroup("::1")).toBe("0:0:0:0::/64");
    expect(addressGroup("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressGroup("2001:db8:aa:2::1")).not.toBe(addressGroup("2001:db8:aa:1::1"));
  });

  it("group IPv6 addresses by /48 for the site-wide count; IPv4 has none", () => {
    expect(ipv6SiteGroup("2001:db8:aa:1::1")).toBe("2001:db8:aa::/48");
    expect(ipv6SiteGroup("2001:0db8:00aa:ffff::1")).toBe("2001:db8:aa::/48");
    expect(ipv6SiteGroup("2001:db8:ab:1::1")).toBe("2001:db8:ab::/48");
    expect(ipv6SiteGroup("192.0.2.10")).toBeUndefined();
    expect(ipv6SiteGroup("::ffff:192.0.2.10")).toBeUndefined();
  });
});
