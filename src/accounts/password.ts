/**
 * Password hashing with scrypt, Node's built-in memory-hard KDF, stored as
 * `scrypt$N$r$p$salt$hash` (salt and hash in base64) so the cost can be raised later without
 * breaking hashes already stored.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/** Cost parameters; N = 2^15 with r = 8 needs 32 MiB per hash. */
export interface ScryptParams {
  N: number
  r: number
  p: number
}

export const defaultScryptParams: ScryptParams = { N: 2 ** 15, r: 8, p: 1 }

const saltBytes = 16
const hashBytes = 32
const maxN = 2 ** 20

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  params: ScryptParams,
): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // scrypt needs 128 * N * r bytes; Node's default ceiling (32 MiB) is just below that at N=2^15.
    maxmem: 128 * params.N * params.r * params.p + 16 * 1024 * 1024,
  }
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (error, key) => {
      if (error) reject(error)
      else resolve(key)
    })
  })
}

/** Hashes `password` with a fresh random salt. */
export async function hashPassword(
  password: string,
  params: ScryptParams = defaultScryptParams,
): Promise<string> {
  const salt = randomBytes(saltBytes)
  const hash = await scryptAsync(password, salt, hashBytes, params)
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')]
    .map(String)
    .join('$')
}

interface ParsedHash {
  params: ScryptParams
  salt: Buffer
  hash: Buffer
}

function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined
  const [, n, r, p, salt, hash] = parts
  const params = { N: Number(n), r: Number(r), p: Number(p) }
  const power = Math.log2(params.N)
  // Refuse absurd parameters so a tampered row cannot make one login eat the machine.
  if (!Number.isInteger(power) || power < 1 || params.N > maxN) return undefined
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > 32) return undefined
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > 16) return undefined
  const saltBuf = Buffer.from(salt ?? '', 'base64')
  const hashBuf = Buffer.from(hash ?? '', 'base64')
  if (saltBuf.length < 8 || hashBuf.length < 16) return undefined
  return { params, salt: saltBuf, hash: hashBuf }
}

/** True when `stored` is a hash this module can verify. */
export function isPasswordHash(stored: string): boolean {
  return parseHash(stored) !== undefined
}

/** Checks `password` against a stored `scrypt$...` hash in constant time; false for bad hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (!parsed) return false
  const candidate = await scryptAsync(password, parsed.salt, parsed.hash.length, parsed.params)
  return timingSafeEqual(candidate, parsed.hash)
}

/** A random password for generated accounts: 24 characters from 18 random bytes. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}

/** Why `password` is not acceptable as a new password, or undefined when it is. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12) return 'a password must have at least 12 characters'
  if (password.length > 1024) return 'a password must have at most 1024 characters'
  return undefined
}
