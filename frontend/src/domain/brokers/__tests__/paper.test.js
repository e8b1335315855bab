import { describe, expect, it } from 'vitest'
import {
  DEFAULT_PAPER_BALANCES,
  formatPaperBalances,
  isPaperBroker,
  paperBalancesSummary,
  parsePaperBalances,
} from '../paper.js'

describe('soldes de départ d’un broker papier', () => {
  it('lit les écritures usuelles (ordre libre, virgule décimale, =, retours à la ligne)', () => {
    expect(parsePaperBalances('10000 USDT; 0,5 btc')).toEqual({ balances: { USDT: '10000', BTC: '0.5' }, error: '' })
    expect(parsePaperBalances('USDT=250\nETH: 2.25, 0 BNB').balances).toEqual({ USDT: '250', ETH: '2.25', BNB: '0' })
  })

  it('refuse le vide, l’illisible, les négatifs, les doublons et les actifs invalides', () => {
    expect(parsePaperBalances('  ').error).toMatch('au moins un solde')
    expect(parsePaperBalances('beaucoup de USDT').error).toMatch('illisible')
    expect(parsePaperBalances('-5 USDT').error).toMatch('illisible')
    expect(parsePaperBalances('1e40 USDT').error).toMatch('illisible')
    expect(parsePaperBalances('NaN USDT').error).toMatch('illisible')
    expect(parsePaperBalances('1 USDT; 2 usdt').error).toBe('Actif USDT donné deux fois.')
    expect(parsePaperBalances('1 ../X').error).toMatch('Actif invalide')
    expect(parsePaperBalances('0 USDT').error).toMatch('positif')
    const many = Array.from({ length: 51 }, (_, i) => `1 A${i}`).join('; ')
    expect(parsePaperBalances(many).error).toBe('50 actifs au plus.')
  })

  it('texte du champ et résumé', () => {
    expect(formatPaperBalances({ USDT: '10000', BTC: '0.5' })).toBe('10000 USDT; 0.5 BTC')
    expect(formatPaperBalances(null)).toBe('10000 USDT')
    expect(parsePaperBalances(formatPaperBalances(DEFAULT_PAPER_BALANCES)).balances).toEqual({ USDT: '10000' })
    expect(paperBalancesSummary({ USDT: '10000', BTC: '0.5' })).toBe('10\u202f000 USDT + 0,5 BTC')
    expect(paperBalancesSummary(undefined)).toBe('—')
    expect(isPaperBroker({ is_paper: true })).toBe(true)
    expect(isPaperBroker(null)).toBe(false)
  })
})
