import { readFileSync } from 'node:fs'

/** The package version, read from package.json next to `dist/` or `src/`. */
export function cliVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
  return (JSON.parse(raw) as { version: string }).version
}
