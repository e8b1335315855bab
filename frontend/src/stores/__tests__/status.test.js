import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { STATUS_POLL_INTERVAL_MS, useStatusStore } from '../status.js'

const INITIAL = {
  heartbeat: { is_connected: false, last_heartbeat: null, last_message_at: null },
  coherent: false,
  open_alerts: 2,
  live_strategies: 0,
  testnet: false,
}

const LIVE = {
  heartbeat: { is_connected: true, last_heartbeat: '2025-03-14T09:25:00Z', last_message_at: '2025-03-14T09:26:53Z' },
  coherent: true,
  open_alerts: 0,
  live_strategies: 3,
  testnet: true,
}

describe('store status', () => {
  let fetchMock

  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
    fetchMock = stubFetch({ 'GET /api/status/': jsonResponse(200, INITIAL) })
  })

  afterEach(() => {
    useStatusStore().stop()
    resetSockets()
    vi.useRealTimers()
  })

  it('charge /api/status/ au démarrage puis s’abonne à /ws/heartbeat/', async () => {
    const store = useStatusStore()
    expect(store.loaded).toBe(false)

    await store.start()

    expect(fetchMock).toHaveBeenCalledWith('/api/status/', expect.objectContaining({ method: 'GET' }))
    expect(store.loaded).toBe(true)
    expect(store.heartbeatActive).toBe(false)
    expect(store.openAlerts).toBe(2)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.last.url).toMatch(/^ws:\/\/[^/]+\/ws\/heartbeat\/$/)
  })

  it('applique un message status.update reçu en direct', async () => {
    const store = useStatusStore()
    await store.start()
    const ws = FakeWebSocket.last
    ws.simulateOpen()
    expect(store.realtime).toBe(true)

    ws.simulateMessage({ type: 'status.update', status: LIVE })

    expect(store.heartbeatActive).toBe(true)
    expect(store.coherent).toBe(true)
    expect(store.liveStrategies).toBe(3)
    expect(store.testnet).toBe(true)
    expect(store.lastHeartbeat).toBe('2025-03-14T09:25:00Z')
  })

  it('ignore les autres types de messages', async () => {
    const store = useStatusStore()
    await store.start()
    FakeWebSocket.last.simulateOpen()
    FakeWebSocket.last.simulateMessage({ type: 'stream.raw', received_at: 'x', data: { status: LIVE } })
    expect(store.liveStrategies).toBe(0)
  })

  it('relit le statut toutes les 30 s en secours, et plus après stop()', async () => {
    const store = useStatusStore()
    await store.start()
    expect(fetchMock).toHaveBeenCalledTimes(1)

    stubFetch({ 'GET /api/status/': jsonResponse(200, LIVE) })
    await vi.advanceTimersByTimeAsync(STATUS_POLL_INTERVAL_MS)
    expect(store.liveStrategies).toBe(3)

    store.stop()
    const afterStop = vi.fn()
    vi.stubGlobal('fetch', afterStop)
    await vi.advanceTimersByTimeAsync(STATUS_POLL_INTERVAL_MS * 3)
    expect(afterStop).not.toHaveBeenCalled()
    expect(FakeWebSocket.last.closeCode).toBe(1000)
  })

  it('garde le message d’erreur français si le chargement échoue', async () => {
    stubFetch({ 'GET /api/status/': jsonResponse(503, { detail: 'Base de données indisponible.' }) })
    const store = useStatusStore()
    await store.start()
    expect(store.loaded).toBe(false)
    expect(store.error).toBe('Base de données indisponible.')
  })
})
