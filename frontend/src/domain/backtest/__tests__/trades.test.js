import { describe, expect, it } from 'vitest'
import { sortRows } from '../../../utils/tableSort.js'
import { tradeRows } from '../trades.js'

const trade = (overrides = {}) => ({
  entry_time: '2025-01-01T00:10:00Z', exit_time: '2025-01-01T01:00:00Z', entry_price: 100, exit_price: 110,
  qty: 1, fee: 0.2, pnl: 9.8, pnl_pct: 9.8, exit_reason: 'take_profit', balance_after: 1009.8,
  stop_loss: 95, take_profit: 110, ...overrides,
})

describe('liste des trades', () => {
  const rows = tradeRows([trade({ pnl: 5 }), trade({ pnl: -2, exit_reason: 'stop_loss' }), trade({ pnl: 12, entry_time: '2024-12-31T23:00:00Z' })])

  it('numérote les trades et traduit la raison de sortie', () => {
    expect(rows.map((r) => [r.index, r.position, r.exit_label])).toEqual([[1, 0, 'TP'], [2, 1, 'SL'], [3, 2, 'TP']])
    expect(rows[0].duration_s).toBe(3000)
  })

  it('les lignes se trient par P&L, par date, dans les deux sens, de façon stable', () => {
    expect(sortRows(rows, 'pnl', 'desc').map((r) => r.index)).toEqual([3, 1, 2])
    expect(sortRows(rows, 'pnl', 'asc').map((r) => r.index)).toEqual([2, 1, 3])
    expect(sortRows(rows, 'entry_time', 'asc').map((r) => r.index)).toEqual([3, 1, 2])
    expect(sortRows(rows, 'exit_label', 'asc').map((r) => r.index)).toEqual([2, 1, 3])
  })
})
