import { describe, expect, it } from 'vitest'
import {
  decimalsOf,
  floorToStep,
  linkAmounts,
  parseAmount,
  quantityFromQuote,
  quoteDecimals,
  quoteFromQuantity,
  trimZeros,
} from '../amount.js'

describe('saisie des montants', () => {
  it('lit la virgule, les espaces et refuse le texte', () => {
    expect(parseAmount('0,5')).toBe(0.5)
    expect(parseAmount(' 10 000,25 ')).toBe(10000.25)
    expect(parseAmount('.5')).toBe(0.5)
    expect(parseAmount('-2')).toBe(-2)
    expect(parseAmount('1e-3')).toBe(0.001)
    expect(parseAmount('')).toBeNull()
    expect(parseAmount('abc')).toBeNull()
    expect(parseAmount('1.2.3')).toBeNull()
    expect(parseAmount(Number.NaN)).toBeNull()
    expect(parseAmount(null)).toBeNull()
  })

  it('compte les décimales d’un pas', () => {
    expect(decimalsOf('0.000010000000')).toBe(5)
    expect(decimalsOf(0.00001)).toBe(5)
    expect(decimalsOf('1')).toBe(0)
    expect(decimalsOf(0.5)).toBe(1)
    expect(decimalsOf(null)).toBeNull()
    expect(decimalsOf('0')).toBeNull()
  })

  it('arrondit vers le bas au pas, sans bruit flottant', () => {
    expect(floorToStep(0.0016416, '0.00001')).toBe('0.00164')
    expect(floorToStep(0.29, 0.01)).toBe('0.29') // 0.29 × 100 = 28.999999999999996
    expect(floorToStep(1.7, 0.5)).toBe('1.5')
    expect(floorToStep(123.456, '1')).toBe('123')
    expect(floorToStep(0.123456789123, null)).toBe('0.12345678') // 8 décimales par défaut
    expect(floorToStep(-1, 0.1)).toBe('')
    expect(trimZeros('5.000')).toBe('5')
    expect(trimZeros('0.00160')).toBe('0.0016')
  })
})

describe('quantité ↔ montant', () => {
  it('100 USDT à 60 000 → 0.00166 BTC (pas 0.00001, arrondi inférieur)', () => {
    expect(quantityFromQuote('100', 60000, '0.00001')).toBe('0.00166')
    expect(quantityFromQuote('100,5', '60000', '0.00001')).toBe('0.00167')
  })

  it('0.001 BTC à 60 912,345 → 60.91 USDT (au centime) ; 8 décimales pour une cotation en BTC', () => {
    expect(quoteFromQuantity('0.001', 60912.345, 'USDT')).toBe('60.91')
    expect(quoteFromQuantity('2', '0.05123', 'BTC')).toBe('0.10246')
    expect(quoteDecimals('usdc')).toBe(2)
    expect(quoteDecimals('BTC')).toBe(8)
  })

  it('sans prix ou sans saisie valide : champ calculé vide', () => {
    expect(quantityFromQuote('100', null, '0.00001')).toBe('')
    expect(quantityFromQuote('abc', 60000, '0.00001')).toBe('')
    expect(quoteFromQuantity('', 60000)).toBe('')
    expect(quoteFromQuantity('1', 0)).toBe('')
  })

  it('recalcule le champ qui n’a pas été saisi', () => {
    const context = { price: 50000, step: '0.0001', quoteAsset: 'USDT' }
    expect(linkAmounts({ source: 'quote', quantity: '9', quote: '250' }, context)).toEqual({ quote: '250', quantity: '0.005' })
    expect(linkAmounts({ source: 'quantity', quantity: '0.01', quote: '1' }, context)).toEqual({ quantity: '0.01', quote: '500.00' })
  })
})
