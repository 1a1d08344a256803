import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { describeAdminApi } from './admin-api-suite.js'

describeAdminApi('SQLite', async () => {
  const store = SqliteStore.open(':memory:')
  await store.migrate()
  return store
})
