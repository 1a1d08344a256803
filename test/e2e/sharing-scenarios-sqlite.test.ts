import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { describeSharingScenarios } from './sharing-scenarios.js'

describeSharingScenarios('SQLite :memory:', async () => {
  const store = SqliteStore.open(':memory:')
  await store.migrate()
  return store
})
