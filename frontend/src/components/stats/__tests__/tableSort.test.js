import { describe, expect, it } from 'vitest'
import { compareValues, nextSort, sortRows } from '../tableSort.js'
import { formatAmount, formatPnl, formatRate, plural, pnlTone } from '../statsFormat.js'

const rows = [
  { name: 'RSI', pnl: '-0.6', win_rate: '0.5' },
  { name: 'MACD', pnl: '15', win_rate: '1' },
  { name: null, pnl: '2.41', win_rate: null },
  { name: 'ema', pnl: '100.65', win_rate: '0.5714' },
]

describe('tri des tableaux de statistiques', () => {
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

describe('formatage des statistiques', () => {
  it('P&L signé et tonalité', () => {
    expect(formatPnl('100.65')).toBe('+100,65')
    expect(formatPnl('-5.25')).toBe('−5,25')
    expect(formatPnl('0')).toBe('0,00')
    expect(formatPnl(null)).toBe('—')
    expect([pnlTone('1'), pnlTone('-1'), pnlTone('0'), pnlTone(null)]).toEqual(['profit', 'loss', 'neutral', 'neutral'])
  })

  it('taux, montants, pluriels', () => {
    expect(formatRate('0.5714')).toBe('57,1 %')
    expect(formatRate(null)).toBe('—')
    expect(formatAmount('4050')).toBe('4\u202f050,00')
    expect(formatAmount('0.0005')).toBe('0,0005')
    expect([plural(1, 'erreur'), plural(0, 'erreur'), plural(2, 'erreur')]).toEqual(['1 erreur', '0 erreur', '2 erreurs'])
  })
})
