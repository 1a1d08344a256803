/**
 * A quick test for the most common `MATCHES` regular expressions, so that validation need
 * not build a full regex syntax tree for them.
 */

const CH_BACKSLASH = 92
const CH_CARET = 94
const CH_DOLLAR = 36
const CH_DOT = 46

/** ASCII characters that stand for themselves outside a class, in PCRE and in our engine. */
const LITERAL = charTable(' !"#%&\',-/:;<=>@_~', true)
/** Characters that `\` turns into a literal (PCRE: a backslash before a non-alphanumeric). */
const ESCAPABLE = charTable('.\\/-^$*+?()[]{}|', false)

function charTable(chars: string, alphanumeric: boolean): Uint8Array {
  const table = new Uint8Array(128)
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1
  if (alphanumeric) {
    for (let c = 48; c <= 57; c++) table[c] = 1
    for (let c = 65; c <= 90; c++) table[c] = 1
    for (let c = 97; c <= 122; c++) table[c] = 1
  }
  return table
}

function isQuantifier(c: number): boolean {
  return c === 42 /* * */ || c === 43 /* + */ || c === 63 /* ? */
}

/**
 * Whether `source` is a plain regular expression: an optional `^`, then ASCII literals,
 * escaped punctuation (`\.`) and `.`, each optionally followed by one `*`, `+` or `?`, then an
 * optional `$`. Such a source is valid PCRE and within what the linear-time matcher runs, so
 * `parseRegex` would accept it; anything else (classes, groups, braces, lazy quantifiers,
 * escapes of letters, non-ASCII) answers `false` and takes the full parse.
 *
 * @example
 * ```ts
 * isPlainRegex('^.+@example\\.com$') // true
 * isPlainRegex('^[a-z]+$')           // false: a class needs the full parse
 * ```
 * @internal
 */
export function isPlainRegex(source: string): boolean {
  if (source.length === 0) return false
  let i = source.charCodeAt(0) === CH_CARET ? 1 : 0
  // An escaped final '$' ('\$') leaves a lone backslash below, which answers false.
  const end =
    source.length > i && source.charCodeAt(source.length - 1) === CH_DOLLAR
      ? source.length - 1
      : source.length
  while (i < end) {
    const c = source.charCodeAt(i)
    if (c === CH_BACKSLASH) {
      const e = i + 1 < end ? source.charCodeAt(i + 1) : -1
      if (e < 0 || e >= 128 || ESCAPABLE[e] !== 1) return false
      i += 2
    } else if (c === CH_DOT || (c < 128 && LITERAL[c] === 1)) {
      i++
    } else {
      return false
    }
    if (i < end && isQuantifier(source.charCodeAt(i))) i++
  }
  return true
}
