import fc from "fast-check";
import { clientAddressKey } from "../../../src/http/client-address";

describe("the client address failures are counted under", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:127.0.0.1", "127.0.0.1"],
    ["2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["2001:db8:0:5::ffff:1.2.3.4", "2001:db8:0:5::/64"],
    [undefined, "unknown"],
  ])("%s counts as %s", (ip, key) => {
    expect(clientAddressKey(ip)).toBe(key);
  });

  it("puts every address of one IPv6 /64 under one key, and different /64s under different keys", () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.array(group, { minLength: 4, maxLength: 4 }), (full, otherHost) => {
        const sameNet = [...full.slice(0, 4), ...otherHost].join(":");
        expect(clientAddressKey(full.join(":"))).toBe(clientAddressKey(sameNet));
        const otherNet = [...full.slice(0, 3), ((parseInt(full[3], 16) + 1) % 0x10000).toString(16), ...full.slice(4)].join(":");
        expect(clientAddressKey(otherNet)).not.toBe(clientAddressKey(full.join(":")));
      }),
    );
  });
});
