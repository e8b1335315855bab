import { describe, expect, it } from 'vitest'
import { formatAmount, formatPnl, formatRate, plural, pnlTone } from '../format.js'

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
