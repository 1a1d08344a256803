import { describe, expect, it } from 'vitest'
import { isAppError } from '../errors.js'
import { openStore, parseDbUrl } from './open-store.js'

describe('parseDbUrl', () => {
  it('reads sqlite: values, in-memory, and bare database paths', () => {
    expect(parseDbUrl('sqlite:data/node.db')).toEqual({
      dialect: 'sqlite',
      filename: 'data/node.db',
    })
    expect(parseDbUrl('sqlite:///var/lib/node.db')).toEqual({
      dialect: 'sqlite',
      filename: '/var/lib/node.db',
    })
    expect(parseDbUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', filename: ':memory:' })
    expect(parseDbUrl('./x/node.sqlite3')).toEqual({
      dialect: 'sqlite',
      filename: './x/node.sqlite3',
    })
  })

  it('reads postgres:// and postgresql:// URLs', () => {
    expect(parseDbUrl('postgres://u:p@127.0.0.1:5432/db')).toEqual({
      dialect: 'postgres',
      url: 'postgres://u:p@127.0.0.1:5432/db',
    })
    expect(parseDbUrl('postgresql://127.0.0.1/db').dialect).toBe('postgres')
  })

  it.each(['mysql://x/y', 'node.txt', '', 'sqlite:', 'postgres://'])(
    'rejects %j as STORE_BAD_URL naming the value',
    (value) => {
      let caught: unknown
      try {
        parseDbUrl(value)
      } catch (error) {
        caught = error
      }
      expect(isAppError(caught, 'STORE_BAD_URL')).toBe(true)
      expect(String(caught)).toContain(`"${value}"`)
    },
  )
})

describe('openStore', () => {
  it('opens and optionally migrates an in-memory SQLite store', async () => {
    const store = await openStore('sqlite::memory:', { migrate: true })
    expect(store.capabilities.dialect).toBe('sqlite')
    expect(await store.schemaVersion()).toBeGreaterThan(0)
    await store.close()
  })

  it('opens a PostgreSQL store lazily (no connection until first use)', async () => {
    const store = await openStore('postgres://nobody@127.0.0.1:1/none')
    expect(store.capabilities).toEqual({ dialect: 'postgres', multiProcess: true })
    await store.close()
  })
})
