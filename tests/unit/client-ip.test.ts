// clientIp and emailThrottle (functions/http/client-ip.ts, form-guard.ts): the subjects the per-IP and per-address throttles
// count. IPv6 clients are counted per /64, because one subscriber usually holds a whole /64 and could otherwise
// rotate addresses past every limit; an empty email field is counted under no address at all.
import { describe, expect, it } from "vitest";
import { clientIp, ipv6Network, networkTag } from "@functions/http/client-ip";
import { emailThrottle } from "@functions/http/form-guard";

const from = (ip?: string): Request => new Request("https://smallism.org/login", ip === undefined ? {} : { headers: { "CF-Connecting-IP": ip } });

describe("clientIp", () => {
  it("IPv4 addresses are counted one by one", () => {
    expect(clientIp(from("203.0.113.7"))).toBe("203.0.113.7");
    expect(clientIp(from("203.0.113.8"))).not.toBe(clientIp(from("203.0.113.7")));
  });

  it("every address in one IPv6 /64 is the same subject", () => {
    const subjects = new Set(Array.from({ length: 12 }, (_, i) => clientIp(from(`2001:db8::${(i + 1).toString(16)}`))));
    expect([...subjects]).toEqual(["2001:db8:0:0::/64"]);
    expect(clientIp(from("2001:0db8:0000:0000:ffff:eeee:dddd:cccc"))).toBe("2001:db8:0:0::/64");
  });

  it("different /64 networks stay apart", () => {
    expect(clientIp(from("2001:db8:0:1::1"))).not.toBe(clientIp(from("2001:db8:0:2::1")));
  });

  it("without Cloudflare's header (local development) everyone is 'local'", () => {
    expect(clientIp(from())).toBe("local");
  });
});

describe("ipv6Network", () => {
  it.each([
    ["::1", "0:0:0:0::/64"],
    ["fe80::1:2:3:4", "fe80:0:0:0::/64"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::", "2001:db8:1:2::/64"],
    ["::ffff:198.51.100.9", "198.51.100.9"],
  ])("%s → %s", (ip, network) => expect(ipv6Network(ip)).toBe(network));
});

describe("emailThrottle", () => {
  const rule = { name: "test:email", limit: 3, windowSeconds: 60 };
  it("keys the rule by the normalised address", () => {
    expect(emailThrottle(rule, new URLSearchParams({ email: "  Ada@Example.ORG " }))).toEqual([[rule, "ada@example.org"]]);
  });
  it.each([[""], ["   "], [null]])("counts nothing for an empty or missing email (%j), so empty posts never share one counter", (email) => {
    expect(emailThrottle(rule, new URLSearchParams(email === null ? {} : { email }))).toEqual([]);
  });
});

describe("networkTag", () => {
  const from = (ip: string) => new Request("https://smallism.org/login", { headers: { "CF-Connecting-IP": ip } });
  it("tags one network the same way (a whole IPv6 /64 included), other networks and secrets differently, and hides the address", () => {
    const tag = networkTag("secret-one-0123456789", from("2001:db8:1:2:aaaa::1"));
    expect(tag).toMatch(/^[0-9a-f]{16}$/);
    expect(networkTag("secret-one-0123456789", from("2001:db8:1:2:ffff::9"))).toBe(tag);
    expect(networkTag("secret-one-0123456789", from("2001:db8:1:3::1"))).not.toBe(tag);
    expect(networkTag("secret-two-0123456789", from("2001:db8:1:2:aaaa::1"))).not.toBe(tag);
    expect(networkTag("secret-one-0123456789", from("203.0.113.9"))).not.toContain("203");
  });
});
