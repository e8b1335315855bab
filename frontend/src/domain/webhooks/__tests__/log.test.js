import { describe, expect, it } from 'vitest'
import { buildTestAlert, maskSecret, mergeLogRow, payloadSummary, payloadText, rowMatchesFilters, statusMeta } from '../log.js'

const row = (id, fields = {}) => ({
  id,
  source: 'tradingview',
  status: 'pending',
  received_at: `2026-01-10T10:00:${String(id).padStart(2, '0')}Z`,
  raw_body: '{"symbol":"BTCUSDT"}',
  error_message: '',
  source_ip: '52.89.214.238',
  ...fields,
})

describe('journal des webhooks : fusion en direct', () => {
  const page = [row(3), row(2), row(1)]

  it('une ligne affichée est remplacée à sa place (changement de statut)', () => {
    const updated = row(2, { status: 'done', trade_id: 41 })
    const result = mergeLogRow(page, updated, { insert: false })
    expect(result).toMatchObject({ replaced: true, inserted: false })
    expect(result.rows.map((r) => [r.id, r.status])).toEqual([[3, 'pending'], [2, 'done'], [1, 'pending']])
    expect(page[1].status).toBe('pending') // pas de mutation
  })

  it('une nouvelle ligne est insérée en tête, page bornée', () => {
    const result = mergeLogRow(page, row(4), { insert: true, pageSize: 3 })
    expect(result).toMatchObject({ replaced: false, inserted: true })
    expect(result.rows.map((r) => r.id)).toEqual([4, 3, 2])
  })

  it('insertion triée par réception même si les messages arrivent dans le désordre', () => {
    const late = row(0, { received_at: '2026-01-10T10:00:02.500Z' })
    expect(mergeLogRow(page, late, { insert: true }).rows.map((r) => r.id)).toEqual([3, 0, 2, 1])
  })

  it('sans insertion (page 2, filtres), une ligne inconnue est ignorée', () => {
    const result = mergeLogRow(page, row(9), { insert: false })
    expect(result).toEqual({ rows: page, replaced: false, inserted: false })
  })
})

describe('journal des webhooks : filtres', () => {
  it('statut et texte comme le serveur (insensible à la casse, n°)', () => {
    const r = row(12, { status: 'error', error_message: 'Solde insuffisant', source: 'tv-scalp' })
    expect(rowMatchesFilters(r, {})).toBe(true)
    expect(rowMatchesFilters(r, { status: 'done' })).toBe(false)
    expect(rowMatchesFilters(r, { status: 'error', q: 'SOLDE' })).toBe(true)
    expect(rowMatchesFilters(r, { q: 'scalp' })).toBe(true)
    expect(rowMatchesFilters(r, { q: 'btcusdt' })).toBe(true)
    expect(rowMatchesFilters(r, { q: '52.89' })).toBe(true)
    expect(rowMatchesFilters(r, { q: '12' })).toBe(true)
    expect(rowMatchesFilters(r, { q: 'ethusdt' })).toBe(false)
  })
})

describe('page Webhooks : petites fonctions', () => {
  it('alerte de test : achat de 10, id unique', () => {
    expect(buildTestAlert({ secret: 's3cr3t', now: 1767225600000 })).toEqual({
      secret: 's3cr3t', action: 'buy', symbol: 'BTCUSDT', amount: 10, source: 'test', id: 'test-1767225600000',
    })
  })

  it('statuts, secret masqué, contenu lisible', () => {
    expect(statusMeta('done')).toMatchObject({ label: 'Exécuté', tone: 'success' })
    expect(statusMeta('rejected').tone).toBe('danger')
    expect(statusMeta('inconnu')).toMatchObject({ label: 'inconnu', tone: 'neutral' })
    expect(maskSecret('abc')).toHaveLength(8)
    expect(maskSecret('x'.repeat(40))).toHaveLength(24)
    expect(maskSecret('')).toBe('')
    const r = row(1, { payload: { action: 'buy', symbol: 'BTCUSDT', amount: 10 } })
    // Sens et type en français, nombres à virgule (libellés communs de domain/trading/labels.js).
    expect(payloadSummary(r)).toBe('Achat BTCUSDT 10')
    expect(payloadSummary(row(2, { payload: { action: 'sell', symbol: 'ETHUSDT', percent: 50 } }))).toBe('Vente ETHUSDT 50 %')
    expect(payloadSummary(row(5, { payload: { action: 'SELL', order_type: 'limit', symbol: 'ETHUSDT', quantity: '0.5', price: 3000 } })).replace(/\u202f/g, ' '))
      .toBe('Vente (Limite) ETHUSDT 0,5 @ 3 000')
    expect(payloadSummary(row(6, { payload: { action: 'close', symbol: 'BTCUSDT', order_type: 'market' } }))).toBe('Clôture (tout vendre) (Marché) BTCUSDT')
    expect(payloadSummary(row(7, { payload: { action: 'buy', symbol: 'BTCUSDT', amount: 'beaucoup' } }))).toBe('Achat BTCUSDT beaucoup')
    expect(payloadText(r)).toBe('{\n  "action": "buy",\n  "symbol": "BTCUSDT",\n  "amount": 10\n}')
    expect(payloadText(row(3, { payload: null, raw_body: 'pas du json' }))).toBe('pas du json')
    expect(payloadSummary(row(4, { payload: null, raw_body: '' }))).toBe('—')
  })
})
