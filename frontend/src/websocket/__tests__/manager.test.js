import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { backoffDelay, createSocketManager, socketUrl } from '../manager.js'
import { MessageType, parseMessage } from '../messageTypes.js'

const silentLogger = { warn: vi.fn(), error: vi.fn() }

function makeManager(options = {}) {
  return createSocketManager('heartbeat', {
    url: 'ws://aristobot.test/ws/heartbeat/',
    WebSocketImpl: FakeWebSocket,
    baseDelay: 1000,
    maxDelay: 8000,
    random: () => 1, // gigue au maximum : délai = plafond
    logger: silentLogger,
    ...options,
  })
}

describe('socketUrl / backoffDelay', () => {
  it('utilise ws: ou wss: selon le protocole de la page, sur le même hôte', () => {
    expect(socketUrl('heartbeat', { protocol: 'http:', host: '127.0.0.1:8000' })).toBe('ws://127.0.0.1:8000/ws/heartbeat/')
    expect(socketUrl('/ws/backtest/', { protocol: 'https:', host: 'bot.example' })).toBe('wss://bot.example/ws/backtest/')
  })

  it('double le délai à chaque tentative, plafonne, et applique une gigue dans [plafond/2, plafond]', () => {
    const max = { baseDelay: 1000, maxDelay: 30000, random: () => 1 }
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, max))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000])
    expect(backoffDelay(3, { ...max, random: () => 0 })).toBe(4000)
    expect(backoffDelay(3, { ...max, random: () => 0.5 })).toBe(6000)
  })
})

describe('parseMessage', () => {
  it('refuse le JSON invalide, l’absence de type et les champs manquants', () => {
    expect(parseMessage('{oops').ok).toBe(false)
    expect(parseMessage('{"status": {}}').ok).toBe(false)
    expect(parseMessage('{"type": "heartbeat.signal", "symbol": "BTCUSDT"}').ok).toBe(false)
    expect(parseMessage('{"type": "status.update", "status": {}}')).toEqual({
      ok: true,
      message: { type: 'status.update', status: {} },
    })
  })
})

describe('createSocketManager', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
    silentLogger.warn.mockClear()
    silentLogger.error.mockClear()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('se connecte au premier abonnement et expose `connected`', () => {
    const manager = makeManager()
    expect(FakeWebSocket.instances).toHaveLength(0)

    manager.subscribe(MessageType.STATUS_UPDATE, () => {})
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.last.url).toBe('ws://aristobot.test/ws/heartbeat/')
    expect(manager.connected.value).toBe(false)

    FakeWebSocket.last.simulateOpen()
    expect(manager.connected.value).toBe(true)
    expect(manager.state.value).toBe('open')
  })

  it('distribue chaque message aux seuls abonnés de son type (et au joker)', () => {
    const manager = makeManager()
    const onStatus = vi.fn()
    const onSignal = vi.fn()
    const onAny = vi.fn()
    manager.subscribe(MessageType.STATUS_UPDATE, onStatus)
    manager.subscribe(MessageType.HEARTBEAT_SIGNAL, onSignal)
    manager.subscribe('*', onAny)
    const ws = FakeWebSocket.last
    ws.simulateOpen()

    const signal = { type: 'heartbeat.signal', timeframe: '5m', symbol: 'BTCUSDT', open_time: 1, close_time: 2, sent_at: 'x' }
    ws.simulateMessage(signal)
    ws.simulateMessage('pas du json')
    ws.simulateMessage({ type: 'heartbeat.signal' }) // champs manquants : ignoré

    expect(onSignal).toHaveBeenCalledExactlyOnceWith(signal)
    expect(onStatus).not.toHaveBeenCalled()
    expect(onAny).toHaveBeenCalledExactlyOnceWith(signal)
    expect(silentLogger.warn).toHaveBeenCalledTimes(2)
  })

  it('isole un abonné qui lève une exception', () => {
    const manager = makeManager()
    const good = vi.fn()
    manager.subscribe('stream.raw', () => {
      throw new Error('boum')
    })
    manager.subscribe('stream.raw', good)
    FakeWebSocket.last.simulateOpen()
    FakeWebSocket.last.simulateMessage({ type: 'stream.raw', received_at: 'now', data: {} })
    expect(good).toHaveBeenCalledOnce()
  })

  it('se reconnecte avec un backoff exponentiel plafonné, remis à zéro après ouverture', () => {
    const manager = makeManager()
    manager.subscribe(MessageType.STATUS_UPDATE, () => {})
    FakeWebSocket.last.simulateOpen()

    const delays = []
    for (let i = 0; i < 5; i += 1) {
      const before = FakeWebSocket.instances.length
      FakeWebSocket.last.simulateDrop()
      expect(manager.connected.value).toBe(false)
      expect(manager.state.value).toBe('reconnecting')
      let waited = 0
      while (FakeWebSocket.instances.length === before) {
        vi.advanceTimersByTime(250)
        waited += 250
      }
      delays.push(waited)
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000])

    FakeWebSocket.last.simulateOpen()
    expect(manager.connected.value).toBe(true)
    FakeWebSocket.last.simulateDrop()
    vi.advanceTimersByTime(999)
    const count = FakeWebSocket.instances.length
    vi.advanceTimersByTime(1)
    expect(FakeWebSocket.instances.length).toBe(count + 1)
  })

  it('ne se reconnecte plus après disconnect() et ferme au dernier désabonnement', () => {
    const manager = makeManager()
    const off1 = manager.subscribe('status.update', () => {})
    const off2 = manager.subscribe('heartbeat.signal', () => {})
    const ws = FakeWebSocket.last
    ws.simulateOpen()

    off1()
    expect(ws.readyState).toBe(FakeWebSocket.OPEN)
    off2()
    expect(ws.closeCode).toBe(1000)
    expect(manager.state.value).toBe('closed')
    vi.advanceTimersByTime(60_000)
    expect(FakeWebSocket.instances).toHaveLength(1)

    manager.connect()
    FakeWebSocket.last.simulateDrop()
    manager.disconnect()
    vi.advanceTimersByTime(60_000)
    expect(FakeWebSocket.instances).toHaveLength(2)
  })

  it('ne boucle pas quand le backend refuse la session (code 4401), repart sur connect()', () => {
    const manager = makeManager()
    manager.subscribe('status.update', () => {})
    FakeWebSocket.last.simulateDrop(4401)
    expect(manager.state.value).toBe('unauthorized')
    vi.advanceTimersByTime(120_000)
    expect(FakeWebSocket.instances).toHaveLength(1)

    manager.connect()
    expect(FakeWebSocket.instances).toHaveLength(2)
  })

  it('n’envoie que sur une connexion ouverte', () => {
    const manager = makeManager()
    manager.connect()
    expect(manager.send({ type: 'ping' })).toBe(false)
    FakeWebSocket.last.simulateOpen()
    expect(manager.send({ type: 'ping' })).toBe(true)
    expect(FakeWebSocket.last.sent).toEqual(['{"type":"ping"}'])
  })
})
