import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, requestBody, stubFetch } from '../../../tests/helpers/fetch.js'
import { resetSockets } from '../../websocket/index.js'
import { PAIRS_POLL_MS, useBrokersStore } from '../brokers.js'

const BROKER = { id: 5, name: 'Principal', exchange: 'binance', is_default: true, is_testnet: false, api_key_hint: '****-key', api_secret_hint: '****cret', has_password: false }
const job = (fields) => ({ id: 9, exchange: 'binance', status: 'running', progress: 20, total: 16, processed: 0, ...fields })
const SESSION = { authenticated: true, debug_aristobot: false, user: { id: 1, username: 'dac' } }

describe('store brokers', () => {
  let fetchMock
  let polls

  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
    polls = [job({ progress: 60 }), job({ status: 'done', progress: 100 })]
    fetchMock = stubFetch({
      'GET /api/brokers/': jsonResponse(200, [BROKER]),
      'GET /api/brokers/exchanges/': jsonResponse(200, [
        { id: 'kucoin', name: 'KuCoin', sandbox: false, requires_password: true },
        { id: 'binance', name: 'Binance', sandbox: true, requires_password: false },
      ]),
      'GET /api/auth/me/': jsonResponse(200, SESSION),
      'POST /api/brokers/5/update-pairs/': jsonResponse(202, { job_id: 9, started: true, job: job({ status: 'pending', progress: 0 }) }),
      'GET /api/brokers/5/update-pairs/': () => jsonResponse(200, { job: polls.shift() ?? job({ status: 'done' }) }),
      'PATCH /api/brokers/5/': jsonResponse(200, BROKER),
      'DELETE /api/brokers/5/': jsonResponse(409, { detail: 'Impossible de supprimer le broker « Principal » : il est utilisé par des stratégies actives.' }),
    })
  })

  afterEach(() => {
    useBrokersStore().stop()
    resetSockets()
    vi.useRealTimers()
  })

  it('charge les brokers et les exchanges (triés par nom)', async () => {
    const store = useBrokersStore()
    await store.start()
    expect(store.brokers).toHaveLength(1)
    expect(store.exchanges.map((e) => e.id)).toEqual(['binance', 'kucoin'])
    expect(store.exchangeName('kucoin')).toBe('KuCoin')
    expect(store.exchangeInfo('binance').sandbox).toBe(true)
    expect(store.defaultBroker.id).toBe(5)
    expect(FakeWebSocket.last.url).toMatch(/\/ws\/heartbeat\/$/)
  })

  it('MAJ Paires : 202 puis relecture jusqu’à la fin', async () => {
    const store = useBrokersStore()
    await store.start()
    await store.updatePairs(BROKER)
    expect(store.pairsJobs.binance).toMatchObject({ id: 9, status: 'pending', finished: false })
    await vi.advanceTimersByTimeAsync(PAIRS_POLL_MS)
    expect(store.pairsJobs.binance.percent).toBe(60)
    await vi.advanceTimersByTimeAsync(PAIRS_POLL_MS)
    expect(store.pairsJobs.binance).toMatchObject({ status: 'done', percent: 100, total: 16 })
    const calls = fetchMock.mock.calls.filter(([url]) => url.startsWith('/api/brokers/5/update-pairs/?job=9')).length
    await vi.advanceTimersByTimeAsync(PAIRS_POLL_MS * 3)
    expect(fetchMock.mock.calls.filter(([url]) => url.startsWith('/api/brokers/5/update-pairs/?job=9'))).toHaveLength(calls)
  })

  it('MAJ Paires : les messages pairs.progress font avancer la barre et terminent le suivi', async () => {
    const store = useBrokersStore()
    await store.start()
    FakeWebSocket.last.simulateOpen()
    await store.updatePairs(BROKER)
    FakeWebSocket.last.simulateMessage({ type: 'pairs.progress', job: job({ progress: 80 }) })
    expect(store.pairsJobs.binance.percent).toBe(80)
    FakeWebSocket.last.simulateMessage({ type: 'pairs.progress', job: job({ status: 'done', total: 16 }) })
    expect(store.pairsJobs.binance.finished).toBe(true)
    const before = fetchMock.mock.calls.length
    await vi.advanceTimersByTimeAsync(PAIRS_POLL_MS * 2)
    expect(fetchMock.mock.calls.length).toBe(before) // plus de relecture
  })

  it('définir par défaut : PATCH {is_default: true} puis relecture de la liste', async () => {
    const store = useBrokersStore()
    await store.setDefault(5)
    const patchIndex = fetchMock.mock.calls.findIndex(([url, init]) => url === '/api/brokers/5/' && init.method === 'PATCH')
    expect(requestBody(fetchMock, patchIndex)).toEqual({ is_default: true })
    const reload = fetchMock.mock.calls.findIndex(([url, init], i) => i > patchIndex && url === '/api/brokers/' && (init.method ?? 'GET') === 'GET')
    expect(reload).toBeGreaterThan(patchIndex)
  })

  it('suppression refusée (409) : le détail français remonte', async () => {
    await expect(useBrokersStore().remove(5)).rejects.toThrow(/utilisé par des stratégies actives/)
  })
})
