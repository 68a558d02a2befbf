import { IncomingMessage } from "node:http";
import { isIP, Socket } from "node:net";
import proxyAddr from "proxy-addr";
import { unmapIPv4 } from "../auth/address-groups";

/**
 * Who is on the other end of a request, for rate limits and the /metrics loopback check. The TCP
 * peer's address, unless that peer is one of the configured reverse proxies (TRUSTED_PROXIES): then
 * `X-Forwarded-For` is read from the right (proxy-addr), skipping the trusted proxies, and the first
 * address that is not one of them is the client. Anything a client writes further left is never
 * believed, so a spoofed header buys nothing.
 */
export interface TrustedProxies {
  has(address: string): boolean;
}

/**
 * Parses "10.0.0.5, 10.1.0.0/16, fd00::/8" (addresses or CIDR ranges, IPv4 or IPv6; proxy-addr's
 * names `loopback`, `linklocal` and `uniquelocal` too). Throws on a bad entry, naming it.
 */
export function parseTrustedProxies(list: string[]): TrustedProxies | undefined {
  if (list.length === 0) return undefined;
  for (const entry of list) {
    try {
      proxyAddr.compile(entry);
    } catch {
      const [address, bits] = entry.split("/");
      if (bits !== undefined && isIP(address) && entry.split("/").length === 2) throw new Error(`"${entry}" has a bad prefix length`);
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
  }
  const trust = proxyAddr.compile(list);
  return { has: (address) => isIP(address) !== 0 && trust(address, 0) };
}

/** A hop as some proxies write it: `[2001:db8::1]:4711` or `192.0.2.1:4711`; the address alone. */
function bareHop(hop: string): string {
  const h = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracketed) return bracketed[1];
  const v4port = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(h);
  return v4port ? v4port[1] : h;
}

export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies | undefined): string {
  const direct = unmapIPv4(peer ?? "unknown");
  if (!trusted || !forwardedFor) return direct;
  const header = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map(bareHop).filter(Boolean).join(", ");
  // proxy-addr reads a request; it is given one made of the address and header the server saw.
  const socket = new Socket();
  Object.defineProperty(socket, "remoteAddress", { value: peer });
  const req = new IncomingMessage(socket);
  req.headers = { "x-forwarded-for": header };
  // Peer first, then the hops right to left, up to the first one not trusted. Garbage is not believed:
  // the last real address a trusted proxy vouched for stands.
  const chain = proxyAddr.all(req, (address) => trusted.has(address));
  for (let i = chain.length - 1; i >= 0; i--) if (isIP(chain[i])) return unmapIPv4(chain[i]);
  return direct;
}

const loopback = proxyAddr.compile("loopback");

/** 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6. */
export function isLoopback(address: string): boolean {
  return isIP(address) !== 0 && loopback(address, 0);
}
