import { describe, expect, it } from 'vitest'
import {
  balanceChange,
  balanceLegend,
  balancePointAt,
  balanceSeriesData,
  cadenceText,
  formatUsd,
  hasReadableBalance,
  latestBalancePoint,
  snapshotSummary,
} from '../balance.js'

const H = 3600
const T0 = 1767607200 // 2026-01-05T10:00:00Z

const point = (i, total, extra = {}) => ({
  time: new Date((T0 + i * H) * 1000).toISOString(),
  timestamp: T0 + i * H,
  taken_at: new Date((T0 + i * H + 4) * 1000).toISOString(),
  total_usd: total,
  assets: [],
  others_count: 0,
  others_usd: '0',
  brokers: [{ broker_id: 1, total_usd: total, error: total === null ? 'Binance injoignable' : null }],
  ...extra,
})

const HISTORY = {
  interval: 'hour',
  timezone: 'UTC',
  kind: 'balance',
  snapshot_minutes: 60,
  brokers: [{ id: 1, name: 'Principal' }, { id: 2, name: 'Secondaire' }],
  points: [point(0, '1500'), point(1, null), point(2, '1510.5'), point(3, '1600')],
}

describe('évolution du solde : données du graphique', () => {
  it('un total nul devient un trou (espace blanc), jamais un zéro', () => {
    expect(balanceSeriesData(HISTORY)).toEqual([
      { time: T0, value: 1500 },
      { time: T0 + H }, // pas de `value` : lightweight-charts interrompt la courbe
      { time: T0 + 2 * H, value: 1510.5 },
      { time: T0 + 3 * H, value: 1600 },
    ])
    expect(balanceSeriesData(HISTORY).some((p) => p.value === 0)).toBe(false)
  })

  it('temps depuis `timestamp`, sinon depuis `time` ; temps illisibles écartés ; réponse absente', () => {
    const data = balanceSeriesData({ points: [{ time: '2026-01-05T10:00:00Z', total_usd: '1' }, { time: 'n’importe quoi', total_usd: '2' }] })
    expect(data).toEqual([{ time: T0, value: 1 }])
    expect(balanceSeriesData(null)).toEqual([])
    expect(balanceSeriesData({ points: [point(0, 'NaN')] })).toEqual([{ time: T0 }])
  })

  it('rien de lisible : état vide (même si des relevés illisibles existent)', () => {
    expect(hasReadableBalance(HISTORY)).toBe(true)
    expect(hasReadableBalance({ points: [point(0, null)] })).toBe(false)
    expect(hasReadableBalance({ points: [] })).toBe(false)
    expect(hasReadableBalance(null)).toBe(false)
  })

  it('point survolé par son instant, dernier point (un trou final compte)', () => {
    expect(balancePointAt(HISTORY, T0 + 2 * H).total_usd).toBe('1510.5')
    expect(balancePointAt(HISTORY, T0 + 99)).toBeNull()
    expect(balancePointAt(HISTORY, null)).toBeNull()
    expect(latestBalancePoint(HISTORY).total_usd).toBe('1600')
    expect(latestBalancePoint({ points: [point(0, '1'), point(1, null)] }).total_usd).toBeNull()
    expect(latestBalancePoint(null)).toBeNull()
  })

  it('variation entre le premier et le dernier total lisibles (trous ignorés)', () => {
    expect(balanceChange(HISTORY)).toEqual({ first: 1500, last: 1600, change: 100, ratio: 100 / 1500 })
    expect(balanceChange({ points: [point(0, '10'), point(1, null)] })).toBeNull()
    expect(balanceChange({ points: [point(0, '0'), point(1, '5')] }).ratio).toBeNull()
  })
})

describe('évolution du solde : légende', () => {
  it('total, principaux actifs avec leur part, actifs non détaillés', () => {
    const p = point(0, '2000', {
      assets: [
        { asset: 'BTC', total: '0.02', usd_value: '1200' },
        { asset: 'USDT', total: '500', usd_value: '500' },
        { asset: 'ETH', total: '0.1', usd_value: '250' },
        { asset: 'SOL', total: '1', usd_value: '50' },
        { asset: 'ZZZ', total: '7', usd_value: null },
      ],
      others_count: 2,
    })
    const legend = balanceLegend(p, HISTORY.brokers)
    expect(legend.total).toBe(2000)
    expect(legend.time).toBe(T0 + 4)
    expect(legend.assets).toEqual([
      { asset: 'BTC', value: 1200, share: 0.6 },
      { asset: 'USDT', value: 500, share: 0.25 },
      { asset: 'ETH', value: 250, share: 0.125 },
    ])
    expect(legend.hidden).toBe(4) // SOL, ZZZ + 2 résumés par le serveur
    expect(legend.unreadable).toEqual([])
  })

  it('un trou : total nul, brokers illisibles nommés avec la raison', () => {
    const p = point(1, null, {
      brokers: [
        { broker_id: 1, total_usd: '1010', error: null },
        { broker_id: 2, total_usd: null, error: 'Binance injoignable : GET /api/v3/account' },
        { broker_id: 9, total_usd: null, error: null },
      ],
    })
    const legend = balanceLegend(p, HISTORY.brokers)
    expect(legend.total).toBeNull()
    expect(legend.unreadable).toEqual([
      { id: 2, name: 'Secondaire', error: 'Binance injoignable : GET /api/v3/account' },
      { id: 9, name: 'Broker 9', error: 'Solde illisible.' },
    ])
    expect(balanceLegend(null)).toBeNull()
  })
})

describe('évolution du solde : textes', () => {
  it('montants au format français', () => {
    expect(formatUsd('6000')).toBe('6\u202f000,00 $')
    expect(formatUsd(null)).toBe('—')
  })

  it('cadence des relevés du moteur', () => {
    expect(cadenceText(60)).toBe('toutes les heures')
    expect(cadenceText(120)).toBe('toutes les 2 heures')
    expect(cadenceText(15)).toBe('toutes les 15 minutes')
    expect(cadenceText(0)).toBeNull()
  })

  it('résumé de « Relever maintenant »', () => {
    const ok = { broker_id: 1, broker_name: 'Principal', total_usd: '6000', error: null }
    const bad = { broker_id: 2, broker_name: 'Secondaire', total_usd: null, error: 'Clés API refusées' }
    expect(snapshotSummary({ results: [ok] })).toEqual({ text: '1 solde relevé.', tone: 'ok' })
    expect(snapshotSummary({ results: [ok, { ...ok, broker_id: 3 }] }).text).toBe('2 soldes relevés.')
    expect(snapshotSummary({ results: [ok, bad] })).toEqual({
      text: '1 solde relevé, 1 illisible : Secondaire (Clés API refusées)', tone: 'warning',
    })
    expect(snapshotSummary({ results: [bad] }).text).toBe('0 solde relevé, 1 illisible : Secondaire (Clés API refusées)')
    expect(snapshotSummary({ taken_at: null, results: [] })).toEqual({
      text: 'Aucun broker à relever : ajoutez-en un dans Mon Compte.', tone: 'warning',
    })
  })
})
