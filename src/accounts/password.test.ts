import { describe, expect, it } from 'vitest'
import {
  defaultScryptParams,
  generatePassword,
  hashPassword,
  isPasswordHash,
  passwordProblem,
  verifyPassword,
} from './password.js'

const fast = { N: 2 ** 10, r: 8, p: 1 }

describe('hashPassword', () => {
  it('uses scrypt with N=2^15, r=8, p=1 and a 16-byte salt by default', async () => {
    expect(defaultScryptParams).toEqual({ N: 32768, r: 8, p: 1 })
    const hash = await hashPassword('correct horse battery staple')
    const [scheme, n, r, p, salt, key] = hash.split('$')
    expect([scheme, n, r, p]).toEqual(['scrypt', '32768', '8', '1'])
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16)
    expect(Buffer.from(key ?? '', 'base64')).toHaveLength(32)
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true)
  })

  it('salts every hash, so equal passwords hash differently', async () => {
    const a = await hashPassword('same password here', fast)
    const b = await hashPassword('same password here', fast)
    expect(a).not.toBe(b)
    expect(await verifyPassword('same password here', a)).toBe(true)
    expect(await verifyPassword('same password here', b)).toBe(true)
  })
})

describe('verifyPassword', () => {
  it('rejects a wrong password', async () => {
    const hash = await hashPassword('the right password', fast)
    expect(await verifyPassword('the wrong password', hash)).toBe(false)
    expect(await verifyPassword('', hash)).toBe(false)
  })

  it('verifies with the parameters stored in the hash, not the defaults', async () => {
    const hash = await hashPassword('parameters travel', { N: 2 ** 11, r: 4, p: 2 })
    expect(hash.startsWith('scrypt$2048$4$2$')).toBe(true)
    expect(await verifyPassword('parameters travel', hash)).toBe(true)
  })

  it('returns false for malformed or tampered hashes instead of throwing', async () => {
    const hash = await hashPassword('tamper proof', fast)
    const parts = hash.split('$')
    expect(await verifyPassword('tamper proof', 'plain-text')).toBe(false)
    expect(await verifyPassword('tamper proof', 'bcrypt$x$y')).toBe(false)
    expect(
      await verifyPassword('tamper proof', ['scrypt', '1000', ...parts.slice(2)].join('$')),
    ).toBe(false)
    expect(
      await verifyPassword(
        'tamper proof',
        ['scrypt', String(2 ** 24), ...parts.slice(2)].join('$'),
      ),
    ).toBe(false)
    expect(isPasswordHash(hash)).toBe(true)
    expect(isPasswordHash('scrypt$1024$8$1$$')).toBe(false)
  })
})

describe('passwordProblem', () => {
  it('asks for at least 12 characters', () => {
    expect(passwordProblem('short')).toContain('at least 12')
    expect(passwordProblem('twelve chars')).toBeUndefined()
  })

  it('accepts generated passwords', () => {
    const password = generatePassword()
    expect(password).toHaveLength(24)
    expect(passwordProblem(password)).toBeUndefined()
    expect(generatePassword()).not.toBe(password)
  })
})
