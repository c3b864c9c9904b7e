// A preload (`node --import ./clock-behind.mjs …`) that sets this process's clock CHAOS_CLOCK_SHIFT_MS (default
// -5000) off: Date.now() and `new Date()` both shift, as on a machine whose NTP gave up. PostgreSQL's clock and
// the other processes' clocks are untouched, which is the point of the chaos scenario that uses it.
const RealDate = Date;
const shift = Number(process.env.CHAOS_CLOCK_SHIFT_MS ?? "-5000");

function ShiftedDate(...args) {
  if (!new.target) return new RealDate(RealDate.now() + shift).toString();
  return args.length === 0 ? new RealDate(RealDate.now() + shift) : new RealDate(...args);
}
ShiftedDate.prototype = RealDate.prototype;
Object.setPrototypeOf(ShiftedDate, RealDate);
ShiftedDate.now = () => RealDate.now() + shift;
ShiftedDate.parse = RealDate.parse;
ShiftedDate.UTC = RealDate.UTC;
globalThis.Date = ShiftedDate;
process.stderr.write(`chaos: clock shifted by ${shift} ms\n`);
