/**
 * Tests that need a program the machine may lack (Chromium, PgBouncer, PostgreSQL's server binaries,
 * redis-server…): where it is missing they say so and skip, never pass silently. `.ci/run` installs what it can.
 */

/** `describe` when `missing` is null; otherwise `describe.skip`, printing which suite is skipped and why. */
export function describeUnlessMissing(missing: string | null): jest.Describe {
  if (missing === null) return describe;
  return ((name: string, fn: () => void) => {
    console.warn(`SKIPPED "${name}": ${missing}`);
    describe.skip(name, fn);
  }) as unknown as jest.Describe;
}
