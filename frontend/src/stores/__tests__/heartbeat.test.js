import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { RAW_FEED_MAX } from '../../domain/heartbeat/feed.js'
import { RAW_FLUSH_MS, useHeartbeatStore } from '../heartbeat.js'

const signal = (tf, openTime, extra = {}) => ({
  timeframe: tf,
  symbol: 'BTCUSDT',
  open_time: openTime,
  close_time: openTime + 59_999,
  sent_at: new Date(openTime + 60_000).toISOString(),
  ...extra,
})

const rawKline = (closed, i = 0) => ({
  type: 'stream.raw',
  received_at: new Date(1_700_000_000_000 + i).toISOString(),
  data: { stream: 'btcusdt@kline_1m', data: { e: 'kline', s: 'BTCUSDT', k: { s: 'BTCUSDT', i: '1m', o: '1', h: '2', l: '0.5', c: String(i), v: '3', x: closed } } },
})

describe('store heartbeat', () => {
  let ws

  beforeEach(async () => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
    stubFetch({
      'GET /api/heartbeat/signals/': jsonResponse(200, { '1m': [signal('1m', 120_000), signal('1m', 60_000)], '5m': [signal('5m', 0, { backfilled: true })] }),
      'GET /api/heartbeat/status/': jsonResponse(200, { is_connected: true, last_heartbeat: null, last_message_at: null, symbols: ['BTCUSDT'], last_error: '' }),
    })
    await useHeartbeatStore().start()
    ws = FakeWebSocket.last
    ws.simulateOpen()
  })

  afterEach(() => {
    useHeartbeatStore().stop()
    resetSockets()
    vi.useRealTimers()
  })

  it('charge l’historique des signaux et l’état de connexion', () => {
    const store = useHeartbeatStore()
    expect(fetch).toHaveBeenCalledWith('/api/heartbeat/signals/?all=1', expect.anything())
    expect(store.signals['1m'].map((s) => s.openTime)).toEqual([120_000, 60_000])
    expect(store.signals['5m'][0].backfilled).toBe(true)
    expect(store.signals['4h']).toEqual([])
    expect(store.connection.symbols).toEqual(['BTCUSDT'])
    expect(store.liveTicks['1m']).toBe(0)
  })

  it('ajoute un signal en direct en tête, sans doublon, et signale le flash', () => {
    const store = useHeartbeatStore()
    const before = store.signals['5m']
    ws.simulateMessage({ type: 'heartbeat.signal', ...signal('1m', 180_000) })
    ws.simulateMessage({ type: 'heartbeat.signal', ...signal('1m', 180_000) })
    expect(store.signals['1m'][0].openTime).toBe(180_000)
    expect(store.signals['1m']).toHaveLength(3)
    expect(store.liveTicks['1m']).toBe(1)
    expect(store.signals['5m']).toBe(before) // les autres cases gardent leur identité
  })

  it('regroupe les messages bruts et garde les plus récents en tête, en vert si clôturés', () => {
    const store = useHeartbeatStore()
    ws.simulateMessage(rawKline(false, 1))
    ws.simulateMessage(rawKline(true, 2))
    expect(store.rawLines).toHaveLength(0)
    vi.advanceTimersByTime(RAW_FLUSH_MS)
    expect(store.rawLines.map((l) => l.close)).toEqual(['2', '1'])
    expect(store.rawLines[0].closed).toBe(true)
    expect(store.closedCount).toBe(1)
  })

  it('borne le flux brut à 200 lignes', () => {
    const store = useHeartbeatStore()
    for (let i = 0; i < RAW_FEED_MAX + 50; i += 1) {
      ws.simulateMessage(rawKline(false, i))
      if (i % 20 === 0) vi.advanceTimersByTime(RAW_FLUSH_MS)
    }
    vi.advanceTimersByTime(RAW_FLUSH_MS)
    expect(store.rawLines).toHaveLength(RAW_FEED_MAX)
    expect(store.rawLines[0].close).toBe(String(RAW_FEED_MAX + 49))
    expect(store.receivedCount).toBe(RAW_FEED_MAX + 50)
  })

  it('met le flux en pause puis le reprend', () => {
    const store = useHeartbeatStore()
    store.togglePause()
    ws.simulateMessage(rawKline(true, 1))
    vi.advanceTimersByTime(RAW_FLUSH_MS)
    expect(store.rawLines).toHaveLength(0)
    expect(store.skippedWhilePaused).toBe(1)
    store.togglePause()
    expect(store.skippedWhilePaused).toBe(0)
    ws.simulateMessage(rawKline(false, 2))
    vi.advanceTimersByTime(RAW_FLUSH_MS)
    expect(store.rawLines).toHaveLength(1)
  })

  it('tient l’état de connexion à jour avec status.update', () => {
    const store = useHeartbeatStore()
    ws.simulateMessage({ type: 'status.update', status: { heartbeat: { is_connected: false, last_heartbeat: '2025-11-25T17:05:00Z', last_message_at: null } } })
    expect(store.connection).toMatchObject({ is_connected: false, last_heartbeat: '2025-11-25T17:05:00Z', symbols: ['BTCUSDT'] })
  })

  it('se désabonne à l’arrêt (la socket se ferme)', () => {
    useHeartbeatStore().stop()
    expect(ws.closeCode).toBe(1000)
  })
})

describe('store heartbeat — historique indisponible', () => {
  beforeEach(() => {
    FakeWebSocket.reset()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
    stubFetch({})
  })

  afterEach(() => {
    useHeartbeatStore().stop()
    resetSockets()
  })

  it('affiche le détail français de l’erreur', async () => {
    const store = useHeartbeatStore()
    await store.start()
    expect(store.signalsError).toMatch(/^Historique des signaux indisponible : Route inconnue/)
    expect(store.connectionError).toMatch(/^État du service indisponible/)
  })
})
