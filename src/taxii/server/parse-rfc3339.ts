/**
 * Strict RFC 3339 parsing for query parameters (`added_after`, `match[version]`): calendar
 * fields range-checked, and microseconds since the epoch for `added_after`.
 */

/** An RFC 3339 instant, split so no precision is lost. */
export interface ParsedTimestamp {
  /** Whole seconds since 1970-01-01T00:00:00Z (UTC). */
  epochSeconds: number
  /** The fractional-second digits as written (may be empty), without trailing zeros. */
  fraction: string
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,32}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/**
 * Parses an RFC 3339 `date-time`. With `utcOnly`, only the `Z` designator is accepted (the
 * STIX and TAXII timestamp types). Calendar fields are range-checked (February 30 is refused);
 * leap seconds (`:60`) are refused because no store can order them. Returns `undefined` when
 * the text is not such a timestamp.
 */
export function parseRfc3339(
  value: string,
  options: { utcOnly: boolean },
): ParsedTimestamp | undefined {
  const m = RFC3339.exec(value)
  if (!m) return undefined
  const [, ys, mos, ds, hs, mis, ss, frac, z, sign, ohs, oms] = m
  const year = Number(ys)
  const month = Number(mos)
  const day = Number(ds)
  const hour = Number(hs)
  const minute = Number(mis)
  const second = Number(ss)
  if (month < 1 || month > 12) return undefined
  const maxDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 31)
  if (day < 1 || day > maxDay) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  let offsetSeconds = 0
  if (z === undefined) {
    if (options.utcOnly) return undefined
    const oh = Number(ohs)
    const om = Number(oms)
    if (oh > 23 || om > 59) return undefined
    offsetSeconds = (sign === '-' ? -1 : 1) * (oh * 3600 + om * 60)
  }
  const epochSeconds =
    daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
  return { epochSeconds, fraction: (frac ?? '').replace(/0+$/, '') }
}

/** Microseconds since the epoch, rounding sub-microsecond digits down. */
export function timestampMicros(ts: ParsedTimestamp): number {
  const micros = Number(ts.fraction.slice(0, 6).padEnd(6, '0'))
  return ts.epochSeconds * 1_000_000 + micros
}
