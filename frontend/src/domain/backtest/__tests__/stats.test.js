import { describe, expect, it } from 'vitest'
import { compareRows, statCards } from '../stats.js'

describe('statistiques et comparaison', () => {
  const a = { id: 1, total_pnl_pct: 12.5, win_rate: 55, max_drawdown_pct: 8, sharpe_ratio: 1.2, final_amount: '11250', total_trades: 10,
    stats: { profit_factor: 1.8, expectancy_pct: 1.1, fees_paid: 20, vs_buy_and_hold_pct: 3, exposure_pct: 40 } }
  const b = { id: 2, total_pnl_pct: -4, win_rate: 55, max_drawdown_pct: 3, sharpe_ratio: null, final_amount: '9600', total_trades: 4,
    stats: { profit_factor: 0.7, expectancy_pct: -1, fees_paid: 8, vs_buy_and_hold_pct: -2, exposure_pct: 20 } }

  it('désigne la meilleure valeur selon le sens de chaque statistique', () => {
    const rows = Object.fromEntries(compareRows(a, b).map((r) => [r.key, r]))
    expect(rows.total_pnl_pct.winner).toBe('a')
    expect(rows.max_drawdown_pct.winner).toBe('b') // plus faible = mieux
    expect(rows.fees_paid.winner).toBe('b')
    expect(rows.win_rate.winner).toBeNull() // égalité
    expect(rows.sharpe_ratio.winner).toBeNull() // valeur absente
    expect(rows.total_trades.winner).toBeNull() // informatif
    expect(rows.total_pnl_pct.a).toBe('+12,50 %')
    expect(rows.sharpe_ratio.b).toBe('—')
  })

  it('prépare les cartes du résultat (montant final, P&L signé, buy & hold…)', () => {
    const cards = Object.fromEntries(statCards({ ...a, initial_amount: '10000', total_pnl: '1250', fee_rate: '0.001', winning_trades: 6, losing_trades: 4,
      stats: { ...a.stats, buy_and_hold_final: 10500, buy_and_hold_pct: 5 } }).map((c) => [c.id, c]))
    expect(Object.keys(cards)).toHaveLength(12)
    expect(cards.pnl.value).toBe('+1\u202f250,00')
    expect(cards.pnl.tone).toBe('success')
    expect(cards.pnl.hint).toBe('+12,50 %')
    expect(cards['buy-hold'].hint).toContain('stratégie +3,00 %')
    expect(cards.fees.hint).toBe('Taux 0,1 %')
  })
})
