import { describe, expect, it } from 'vitest'
import { formatHeartbeatStamp } from '../../../utils/format.js'
import {
  TIMEFRAMES,
  mergeSignals,
  normalizeSignal,
  parseRawMessage,
  prependBounded,
  signalTableFromResponse,
  streamLabel,
  trimDecimal,
} from '../feed.js'

const kline = (closed, extra = {}) => ({
  type: 'stream.raw',
  received_at: '2025-11-25T17:05:00.120Z',
  data: {
    stream: 'btcusdt@kline_1m',
    data: {
      e: 'kline',
      E: 1764090300120,
      s: 'BTCUSDT',
      k: { t: 1764090240000, T: 1764090299999, s: 'BTCUSDT', i: '1m', o: '97123.45000000', h: '97200.00000000', l: '97000.10000000', c: '97150.00000000', v: '12.34500000', x: closed, ...extra },
    },
  },
})

describe('prependBounded', () => {
  it('place les plus récents en tête et borne la liste', () => {
    expect(prependBounded([3, 2, 1], [4, 5], 4)).toEqual([5, 4, 3, 2])
    expect(prependBounded([], 1, 3)).toEqual([1])
  })

  it('ne garde que les derniers arrivés quand le lot dépasse la borne', () => {
    expect(prependBounded([1], [2, 3, 4, 5, 6], 3)).toEqual([6, 5, 4])
  })

  it('ne modifie pas la liste d’origine et la renvoie telle quelle sans ajout', () => {
    const list = [2, 1]
    expect(prependBounded(list, [], 5)).toBe(list)
    prependBounded(list, [3], 5)
    expect(list).toEqual([2, 1])
  })

  it('reste borné sur un long flux', () => {
    let list = []
    for (let i = 0; i < 1000; i += 1) list = prependBounded(list, [i], 200)
    expect(list).toHaveLength(200)
    expect(list[0]).toBe(999)
    expect(list.at(-1)).toBe(800)
  })
})

describe('parseRawMessage', () => {
  it('lit une kline du flux combiné', () => {
    const line = parseRawMessage(kline(false))
    expect(line).toMatchObject({
      kind: 'kline',
      symbol: 'BTCUSDT',
      stream: 'btcusdt@kline_1m',
      interval: '1m',
      closed: false,
      open: '97123.45',
      high: '97200',
      low: '97000.1',
      close: '97150',
      volume: '12.345',
      receivedAt: '2025-11-25T17:05:00.120Z',
    })
  })

  it('marque les bougies clôturées (k.x === true) uniquement', () => {
    expect(parseRawMessage(kline(true)).closed).toBe(true)
    expect(parseRawMessage(kline('true')).closed).toBe(false)
  })

  it('lit un trade et un message simple (non combiné)', () => {
    const line = parseRawMessage({ received_at: 'x', data: { e: 'trade', s: 'ETHUSDT', p: '3000.50', q: '0.100' } })
    expect(line).toMatchObject({ kind: 'trade', symbol: 'ETHUSDT', price: '3000.5', quantity: '0.1', stream: 'trade' })
  })

  it('garde un message inconnu sous forme de texte tronqué', () => {
    const line = parseRawMessage({ received_at: 'x', data: { stream: 's', data: { e: 'serverShutdown', pad: 'x'.repeat(300) } } })
    expect(line.kind).toBe('other')
    expect(line.text.length).toBeLessThanOrEqual(160)
  })

  it('donne un identifiant unique à chaque ligne', () => {
    expect(parseRawMessage(kline(true)).id).not.toBe(parseRawMessage(kline(true)).id)
  })
})

describe('petits formats', () => {
  it('trimDecimal enlève les zéros inutiles', () => {
    expect(trimDecimal('1.50000000')).toBe('1.5')
    expect(trimDecimal('100.00000000')).toBe('100')
    expect(trimDecimal('100')).toBe('100')
    expect(trimDecimal(null)).toBe('—')
  })

  it('streamLabel garde la partie après @', () => {
    expect(streamLabel('btcusdt@kline_1m')).toBe('kline_1m')
    expect(streamLabel('')).toBe('')
  })

  it('horodatage AA.MM.DD_HH:MM du moment d’envoi', () => {
    expect(formatHeartbeatStamp('2026-11-25T17:05:00.400Z', 'UTC')).toBe('26.11.25_17:05')
    expect(formatHeartbeatStamp('2026-11-25T17:05:00.400Z', 'local')).toBe('26.11.25_18:05')
  })
})

describe('signaux', () => {
  const raw = (tf, openTime, symbol = 'BTCUSDT') => ({
    timeframe: tf,
    symbol,
    open_time: openTime,
    close_time: openTime + 59_999,
    sent_at: new Date(openTime + 60_000).toISOString(),
  })

  it('normalise un signal (ms ou ISO) et refuse un timeframe inconnu', () => {
    expect(normalizeSignal(raw('5m', 1000))).toMatchObject({ key: 'BTCUSDT|5m|1000', openTime: 1000, closeTime: 60_999 })
    expect(normalizeSignal({ ...raw('1m', 0), open_time: '1970-01-01T00:00:01Z' }).openTime).toBe(1000)
    expect(normalizeSignal(raw('7m', 1000))).toBeNull()
    expect(normalizeSignal(null)).toBeNull()
  })

  it('fusionne sans doublon, du plus récent au plus ancien, bornée', () => {
    const a = normalizeSignal(raw('1m', 60_000))
    const b = normalizeSignal(raw('1m', 120_000))
    const list = mergeSignals([], [a, b])
    expect(list.map((s) => s.openTime)).toEqual([120_000, 60_000])
    expect(mergeSignals(list, a)).toBe(list)

    let bounded = []
    for (let i = 0; i < 100; i += 1) bounded = mergeSignals(bounded, normalizeSignal(raw('1m', i * 60_000)))
    expect(bounded).toHaveLength(60)
    expect(bounded[0].openTime).toBe(99 * 60_000)
  })

  it('range la réponse HTTP par timeframe (objet, liste ou page)', () => {
    const byTf = signalTableFromResponse({ '1m': [raw('1m', 60_000), raw('1m', 0)], '4h': [raw('4h', 0)], extra: 'x' })
    expect(Object.keys(byTf)).toEqual(TIMEFRAMES)
    expect(byTf['1m']).toHaveLength(2)
    expect(byTf['4h']).toHaveLength(1)
    expect(byTf['3m']).toEqual([])

    expect(signalTableFromResponse([raw('15m', 0)])['15m']).toHaveLength(1)
    expect(signalTableFromResponse({ results: [raw('2h', 0)] })['2h']).toHaveLength(1)
    expect(signalTableFromResponse(null)['1m']).toEqual([])
  })

  it('accepte les listes sans champ timeframe (la clé fait foi)', () => {
    const { timeframe, ...rest } = raw('10m', 0)
    expect(timeframe).toBe('10m')
    expect(signalTableFromResponse({ '10m': [rest] })['10m']).toHaveLength(1)
  })
})

describe('millisSuffix', () => {
  it('donne les millisecondes de réception', async () => {
    const { millisSuffix } = await import('../feed.js')
    expect(millisSuffix('2025-11-25T17:05:00.042Z')).toBe('.042')
    expect(millisSuffix(null)).toBe('')
  })
})
