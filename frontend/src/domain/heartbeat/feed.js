/**
 * Logique pure de la page Heartbeat : lecture des messages bruts Binance, listes bornées,
 * normalisation des signaux par timeframe. Aucune dépendance à Vue ni au réseau.
 */
import { toDate } from '../../utils/format.js'

/** Les 8 timeframes du Heartbeat (spec §3.1), dans l'ordre d'affichage. */
export const TIMEFRAMES = Object.freeze(['1m', '3m', '5m', '10m', '15m', '1h', '2h', '4h'])

/** Lignes du flux brut gardées en mémoire. */
export const RAW_FEED_MAX = 200
/** Signaux gardés par timeframe (20 visibles, le reste au défilement). */
export const SIGNALS_MAX = 60
export const SIGNALS_VISIBLE = 20

/**
 * Insère `items` (dans leur ordre d'arrivée, du plus ancien au plus récent) en tête de `list`
 * (le plus récent en premier) et ne garde que `max` éléments. Ne modifie pas `list`.
 */
export function prependBounded(list, items, max) {
  const incoming = Array.isArray(items) ? items : [items]
  if (!incoming.length) return list.length > max ? list.slice(0, max) : list
  const fresh = incoming.length > max ? incoming.slice(-max) : incoming
  const result = new Array(Math.min(max, fresh.length + list.length))
  let i = 0
  for (let j = fresh.length - 1; j >= 0 && i < result.length; j -= 1) result[i++] = fresh[j]
  for (let j = 0; i < result.length; j += 1) result[i++] = list[j]
  return result
}

/** « 97123.45000000 » → « 97123.45 » ; valeur non numérique → telle quelle (ou « — »). */
export function trimDecimal(value) {
  if (value === null || value === undefined || value === '') return '—'
  const text = String(value)
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text
}

let lineSeq = 0

/**
 * Transforme un message `stream.raw` en ligne affichable.
 * Accepte le flux combiné (`{stream, data}`) comme un message simple.
 * @returns {{id: number, receivedAt: string|null, stream: string, symbol: string, kind: 'kline'|'trade'|'other',
 *   closed: boolean, interval?: string, open?: string, high?: string, low?: string, close?: string,
 *   volume?: string, price?: string, quantity?: string, text?: string}}
 */
export function parseRawMessage(message) {
  const envelope = message?.data
  const combined = envelope && typeof envelope === 'object' && 'stream' in envelope && 'data' in envelope
  const payload = combined ? envelope.data : envelope
  const base = {
    id: ++lineSeq,
    receivedAt: message?.received_at ?? null,
    stream: combined ? String(envelope.stream) : '',
    symbol: '',
    kind: 'other',
    closed: false,
  }
  if (!payload || typeof payload !== 'object') return { ...base, text: String(payload ?? '') }

  const k = payload.k
  if (payload.e === 'kline' || (k && typeof k === 'object')) {
    const candle = k ?? {}
    return {
      ...base,
      kind: 'kline',
      symbol: String(candle.s ?? payload.s ?? ''),
      interval: String(candle.i ?? ''),
      stream: base.stream || `kline_${candle.i ?? ''}`,
      closed: candle.x === true,
      open: trimDecimal(candle.o),
      high: trimDecimal(candle.h),
      low: trimDecimal(candle.l),
      close: trimDecimal(candle.c),
      volume: trimDecimal(candle.v),
    }
  }
  if (payload.e === 'trade' || payload.e === 'aggTrade') {
    return {
      ...base,
      kind: 'trade',
      symbol: String(payload.s ?? ''),
      stream: base.stream || payload.e,
      price: trimDecimal(payload.p),
      quantity: trimDecimal(payload.q),
    }
  }
  const text = JSON.stringify(payload)
  return { ...base, symbol: String(payload.s ?? ''), text: text.length > 160 ? `${text.slice(0, 157)}…` : text }
}

/** Millisecondes d'un horodatage (« .042 »), identiques dans tous les fuseaux. */
export function millisSuffix(value) {
  const date = toDate(value)
  return date ? `.${String(date.getUTCMilliseconds()).padStart(3, '0')}` : ''
}

/** Nom court du flux : « btcusdt@kline_1m » → « kline_1m ». */
export function streamLabel(stream) {
  const text = String(stream ?? '')
  const at = text.indexOf('@')
  return at >= 0 ? text.slice(at + 1) : text
}

const toMs = (value) => {
  if (typeof value === 'number') return value
  const date = toDate(value)
  return date ? date.getTime() : null
}

/**
 * Signal (réponse HTTP ou message `heartbeat.signal`) → forme interne, ou null s'il est inexploitable.
 * `open_time` / `close_time` peuvent être des millisecondes ou des dates ISO.
 */
export function normalizeSignal(raw) {
  if (!raw || typeof raw !== 'object' || !TIMEFRAMES.includes(raw.timeframe)) return null
  const openTime = toMs(raw.open_time)
  const closeTime = toMs(raw.close_time)
  const sentAt = raw.sent_at ?? null
  if (openTime === null && !sentAt) return null
  const symbol = String(raw.symbol ?? '')
  return {
    key: `${symbol}|${raw.timeframe}|${openTime ?? sentAt}`,
    timeframe: raw.timeframe,
    symbol,
    openTime,
    closeTime,
    sentAt,
    backfilled: Boolean(raw.backfilled),
  }
}

const sortValue = (signal) => signal.openTime ?? toMs(signal.sentAt) ?? 0

/**
 * Fusionne des signaux dans une liste (plus récent en premier), sans doublon, bornée à `max`.
 * Renvoie la liste d'origine si rien de nouveau n'a été ajouté.
 */
export function mergeSignals(list, incoming, max = SIGNALS_MAX) {
  const known = new Set(list.map((s) => s.key))
  const fresh = (Array.isArray(incoming) ? incoming : [incoming]).filter((s) => {
    if (!s || known.has(s.key)) return false
    known.add(s.key)
    return true
  })
  if (!fresh.length) return list
  return [...fresh, ...list].sort((a, b) => sortValue(b) - sortValue(a)).slice(0, max)
}

/** Table vide : une liste par timeframe. */
export function emptySignalTable() {
  return Object.fromEntries(TIMEFRAMES.map((tf) => [tf, []]))
}

/**
 * Réponse de `GET /api/heartbeat/signals/?all=1` → table par timeframe.
 * Accepte `{ "1m": [...], ... }`, `{ results: [...] }` ou une liste plate.
 */
export function signalTableFromResponse(data, max = SIGNALS_MAX) {
  const table = emptySignalTable()
  let rows = []
  if (Array.isArray(data)) rows = data
  else if (Array.isArray(data?.results)) rows = data.results
  else if (data && typeof data === 'object') {
    for (const [tf, list] of Object.entries(data.signals ?? data)) {
      if (Array.isArray(list)) rows.push(...list.map((s) => ({ timeframe: tf, ...s })))
    }
  }
  for (const row of rows) {
    const signal = normalizeSignal(row)
    if (signal) table[signal.timeframe].push(signal)
  }
  for (const tf of TIMEFRAMES) table[tf] = mergeSignals([], table[tf], max)
  return table
}
