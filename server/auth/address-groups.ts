/**
 * How client addresses are grouped for the sign-in rate limits (server/auth/service.ts): the budget
 * belongs to a network, not to an address a client can change at will.
 */
import { isIP } from "node:net";

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is 192.0.2.1. */
export function unmapIPv4(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

/**
 * The group an address is counted in: an IPv4 address on its own; an IPv6 address by its /64, the
 * smallest block one network (a venue's Wi-Fi, one phone on a cellular network) is given, so a
 * client cannot get a fresh budget by changing the low 64 bits.
 */
export function addressGroup(address: string): string {
  const plain = unmapIPv4(address);
  if (isIP(plain) !== 6) return plain;
  return `${expandIPv6(plain).slice(0, 4).join(":")}::/64`;
}

/**
 * An IPv6 address's /48, the allocation a site (or a home or office line) usually gets: 65,536 /64s.
 * Room-code guesses are also counted per /48 so a site cannot multiply its per-/64 budget by 65,536.
 * None for IPv4.
 */
export function ipv6SiteGroup(address: string): string | undefined {
  const plain = unmapIPv4(address);
  if (isIP(plain) !== 6) return undefined;
  return `${expandIPv6(plain).slice(0, 3).join(":")}::/48`;
}

function expandIPv6(address: string): string[] {
  let a = address.split("%")[0].toLowerCase();
  // A trailing dotted IPv4 part (::ffff:1.2.3.4 forms other than the mapped one) becomes two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [b1, b2, b3, b4] = v4.slice(1).map(Number);
    a = a.slice(0, v4.index) + `${((b1 << 8) | b2).toString(16)}:${((b3 << 8) | b4).toString(16)}`;
  }
  const [head, tail] = a.includes("::") ? a.split("::") : [a, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const middle = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...middle, ...right].map((g) => (parseInt(g, 16) || 0).toString(16));
}
