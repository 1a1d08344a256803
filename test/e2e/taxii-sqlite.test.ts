import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { describeTaxiiServer } from './taxii-conformance.js'

describeTaxiiServer('SQLite :memory:', async () => {
  const store = SqliteStore.open(':memory:')
  await store.migrate()
  return store
})
