/**
 * Timestamp helpers shared by the store adapters and their callers: the normalised
 * `versionKey` form, and the microsecond `date_added` used for ordering and cursors.
 */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz])?$/

/** Digits of the fraction always present in a key (nanoseconds); longer fractions are kept. */
const KEY_FRACTION_DIGITS = 9

/**
 * The normalised, order-preserving form of a STIX/TAXII timestamp (STIX 2.1 section 3.2:
 * UTC, `Z`, any number of fractional digits): `YYYY-MM-DDTHH:MM:SS.fffffffff`, the fraction
 * padded to at least nine digits and without trailing zeros beyond them, and no `Z` (so a
 * longer fraction always sorts after its own prefix). Equal instants give equal keys, and
 * string order is time order. A key given back in is returned unchanged. Returns undefined
 * when `value` is not such a timestamp (or names an impossible date).
 */
export function toVersionKey(value: string): string | undefined {
  const m = TIMESTAMP.exec(value)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, fraction = '', zone] = m
  // A key has no zone; a timestamp without a fraction must carry its Z.
  if (zone === undefined && fraction.length < KEY_FRACTION_DIGITS) return undefined
  const month = Number(mo)
  const day = Number(d)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(Number(y), month)) return undefined
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined
  let digits = fraction.padEnd(KEY_FRACTION_DIGITS, '0')
  if (digits.length > KEY_FRACTION_DIGITS) {
    digits = digits.replace(/0+$/, '').padEnd(KEY_FRACTION_DIGITS, '0')
  }
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${digits}`
}

/**
 * The version key stored for an object version: the key of its `version` timestamp, or the
 * version string itself when it is not a timestamp (empty for unversioned SCOs, which then
 * have exactly one version).
 */
export function versionKeyOf(version: string): string {
  return toVersionKey(version) ?? version
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/**
 * A timestamp as whole microseconds since the epoch (sub-microsecond digits are dropped, which
 * keeps `added_after` exclusive: nothing at or before the given instant is after it).
 * Undefined when `value` is not a UTC timestamp.
 */
export function timestampToMicros(value: string): number | undefined {
  const key = toVersionKey(value)
  if (key === undefined) return undefined
  const seconds = Date.parse(`${key.slice(0, 19)}Z`)
  if (Number.isNaN(seconds)) return undefined
  return seconds * 1000 + Number(key.slice(20, 26))
}

/** Microseconds since the epoch as RFC 3339 UTC with exactly six fractional digits. */
export function microsToTimestamp(micros: number): string {
  const whole = Math.floor(micros / 1_000_000)
  const fraction = micros - whole * 1_000_000
  // Pages of objects added together share their second: format it once.
  if (whole !== lastSecond) {
    lastSecond = whole
    lastSecondText = new Date(whole * 1000).toISOString().slice(0, 19)
  }
  return `${lastSecondText}.${String(fraction).padStart(6, '0')}Z`
}

let lastSecond = Number.NaN
let lastSecondText = ''

/** The current time in microseconds since the epoch (millisecond clock, padded). */
export function nowMicros(): number {
  return Date.now() * 1000
}
