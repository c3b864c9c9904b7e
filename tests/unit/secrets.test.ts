import fc from "fast-check";
import { generateSecret, secretPrefix } from "../../src/auth/secrets";

describe("API key secrets", () => {
  it("show only the role and 4 random characters as their prefix, whatever the random part holds", () => {
    fc.assert(
      fc.property(fc.constantFrom("ingest", "author", "analyst", "admin"), fc.stringMatching(/^[A-Za-z0-9_-]{32}$/), (role, random) => {
        const prefix = secretPrefix(`coach_${role}_${random}`);
        expect(prefix).toBe(`coach_${role}_${random.slice(0, 4)}`);
      }),
    );
    const secret = generateSecret("admin");
    expect(secret.length - secretPrefix(secret).length).toBeGreaterThanOrEqual(28);
  });
});
