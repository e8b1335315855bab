import { describe, expect, it } from 'vitest'
import { compareValues, nextSort, sortRows } from '../tableSort.js'

const rows = [
  { name: 'RSI', pnl: '-0.6', win_rate: '0.5' },
  { name: 'MACD', pnl: '15', win_rate: '1' },
  { name: null, pnl: '2.41', win_rate: null },
  { name: 'ema', pnl: '100.65', win_rate: '0.5714' },
]

describe('tri des tableaux', () => {
  it('compare les décimaux en texte comme des nombres', () => {
    expect(compareValues('15', '2.41')).toBeGreaterThan(0) // et non l'ordre alphabétique
    expect(compareValues('-0.6', '0')).toBeLessThan(0)
    expect(compareValues('b', 'A')).toBeGreaterThan(0) // sans tenir compte de la casse
    expect(compareValues(null, '1')).toBeGreaterThan(0)
  })

  it('trie par P&L décroissant puis croissant', () => {
    expect(sortRows(rows, 'pnl', 'desc').map((r) => r.pnl)).toEqual(['100.65', '15', '2.41', '-0.6'])
    expect(sortRows(rows, 'pnl', 'asc').map((r) => r.pnl)).toEqual(['-0.6', '2.41', '15', '100.65'])
  })

  it('les vides restent en bas dans les deux sens, tri stable', () => {
    expect(sortRows(rows, 'name', 'asc').map((r) => r.name)).toEqual(['ema', 'MACD', 'RSI', null])
    expect(sortRows(rows, 'name', 'desc').map((r) => r.name)).toEqual(['RSI', 'MACD', 'ema', null])
    expect(sortRows(rows, 'win_rate', 'desc').map((r) => r.name)).toEqual(['MACD', 'ema', 'RSI', null])
    expect(rows[0].name).toBe('RSI') // liste d'origine intacte
  })

  it('clic sur un en-tête : inversion ou sens par défaut', () => {
    expect(nextSort({ key: 'pnl', direction: 'desc' }, 'pnl')).toEqual({ key: 'pnl', direction: 'asc' })
    expect(nextSort({ key: 'pnl', direction: 'asc' }, 'pnl')).toEqual({ key: 'pnl', direction: 'desc' })
    expect(nextSort({ key: 'pnl', direction: 'asc' }, 'name', 'asc')).toEqual({ key: 'name', direction: 'asc' })
  })
})
