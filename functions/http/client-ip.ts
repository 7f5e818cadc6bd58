// Who a request comes from, as the per-IP throttles count it. IPv6 clients are counted per /64 network, because one
// subscriber usually holds a whole /64 and could otherwise rotate addresses past every limit. The same network, as a
// keyed hash, tags the request's auth and security log lines (networkTag).
import { keyedHash } from "@functions/auth/tokens";

/** The client's address as throttles count it: IPv4 as Cloudflare reports it, IPv6 as its /64; "local" in development. */
export function clientIp(request: Request): string {
  const ip = request.headers.get("CF-Connecting-IP");
  if (ip === null) return "local";
  return ip.includes(":") ? ipv6Network(ip) : ip;
}

/** The first four groups of an IPv6 address ("2001:db8:0:0::/64"); IPv4-mapped addresses give the IPv4. */
export function ipv6Network(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = ip.toLowerCase().split("::", 2);
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = Math.max(0, 8 - headGroups.length - tailGroups.length);
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(missing).fill("0"), ...tailGroups];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

/** The client's network as a short keyed hash for log lines: the same network gives the same tag, and no tag gives the address back. */
export function networkTag(secret: string, request: Request): string {
  return keyedHash(secret, "network", clientIp(request)).slice(0, 16);
}
