/**
 * The key a client's failed authentications are counted under. IPv4 addresses count one by one; IPv6 ones by
 * their /64, because one subscriber usually holds a whole /64 and could otherwise take a fresh address per try.
 * Which address is the client's is Express's `req.ip`: the socket's peer unless COACH_TRUST_PROXY names proxies.
 */
import { isIPv4, isIPv6 } from "node:net";

/** `203.0.113.7` → itself, `::ffff:203.0.113.7` → `203.0.113.7`, `2001:db8:1:2:a:b:c:d` → `2001:db8:1:2::/64`. */
export function clientAddressKey(ip: string | undefined): string {
  if (!ip) return "unknown";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(ip)) return ip;
  const address = ip.split("%")[0]; // drop a zone id (fe80::1%eth0)
  if (!isIPv6(address)) return ip;
  return `${ipv6Groups(address)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded (a trailing dotted IPv4 counts as two groups). */
function ipv6Groups(address: string): number[] {
  const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
  const parse = (part: string | undefined): number[] => {
    if (!part) return [];
    return part.split(":").flatMap((group) => {
      if (!group.includes(".")) return [parseInt(group, 16)];
      const [a, b, c, d] = group.split(".").map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const front = parse(head);
  const back = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return [...front, ...zeros, ...back];
}
