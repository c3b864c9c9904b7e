import fc from "fast-check";
import { DEMO_ZONES, pickDaytimeZone } from "../../../src/demo/daytime-zone";
import { quietHoursEnd, wallTime } from "../../../src/throttle/local-time";
import { isValidTimeZone } from "../../../src/lib/timezones";

describe("the demo learner's time zone", () => {
  it("lists only zones Intl knows", () => {
    expect(DEMO_ZONES.filter((z) => !isValidTimeZone(z))).toEqual([]);
  });

  it("is outside the default quiet hours now and for the next three hours, at any instant of any day (DST included)", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("2026-01-01T00:00:00Z"), max: new Date("2028-12-31T23:59:59Z"), noInvalidDate: true }), (now) => {
        const { timeZone, localTime } = pickDaytimeZone(now, { start: "22:00", end: "08:00" });
        expect(quietHoursEnd(now, timeZone, "22:00", "08:00")).toBeNull();
        expect(quietHoursEnd(new Date(now.getTime() + 3 * 3_600_000), timeZone, "22:00", "08:00")).toBeNull();
        const w = wallTime(now, timeZone);
        expect(localTime).toBe(`${String(w.hour).padStart(2, "0")}:${String(w.minute).padStart(2, "0")}`);
      }),
      { numRuns: 300 },
    );
  });

  it("prefers early afternoon when there are no quiet hours", () => {
    for (let hour = 0; hour < 24; hour++) {
      const now = new Date(Date.UTC(2026, 5, 15, hour, 17));
      const { timeZone } = pickDaytimeZone(now, null);
      expect(Math.abs(wallTime(now, timeZone).hour - 13)).toBeLessThanOrEqual(1);
    }
  });

  it("still answers when quiet hours cover almost the whole day (the nudge then waits, as the page says)", () => {
    const now = new Date("2026-12-02T23:30:00Z");
    expect(isValidTimeZone(pickDaytimeZone(now, { start: "09:00", end: "08:00" }).timeZone)).toBe(true);
  });
});
