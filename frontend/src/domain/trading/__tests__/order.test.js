import { describe, expect, it } from 'vitest'
import {
  emptyOrderForm,
  estimateOrder,
  orderPayload,
  orderSummary,
  toApiNumber,
  tradeResultMessage,
  validateOrderForm,
} from '../order.js'

const BTC = { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amount_precision: '0.000010000000', price_precision: '0.01', min_amount: '0.00001', min_cost: '5' }
const form = (fields) => ({ ...emptyOrderForm(), ...fields })
// Espaces fines insécables du format français : comparées comme des espaces.
const plain = (text) => text.replace(/[\u00a0\u202f]/g, ' ')

describe('validation du formulaire d’ordre', () => {
  it('exige un symbole et une quantité ou un montant strictement positif', () => {
    expect(validateOrderForm(form({ quantity: '0.001' }), {}).errors).toEqual({ symbol: 'Choisissez un symbole dans la liste.' })
    expect(validateOrderForm(form(), { market: BTC }).errors).toEqual({ quantity: 'Saisissez une quantité.' })
    expect(validateOrderForm(form({ quantity: '0' }), { market: BTC }).errors.quantity).toBe('La quantité doit être strictement positive.')
    expect(validateOrderForm(form({ quantity: '-1' }), { market: BTC }).errors.quantity).toBe('La quantité doit être strictement positive.')
    expect(validateOrderForm(form({ source: 'quote', quote: 'abc' }), { market: BTC }).errors.quote).toBe('Nombre invalide.')
    expect(validateOrderForm(form({ source: 'quote', quote: '' }), { market: BTC }).errors.quote).toBe('Saisissez un montant.')
    expect(validateOrderForm(form({ source: 'quote', quote: '-5' }), { market: BTC }).errors.quote).toBe('Le montant doit être strictement positif.')
  })

  it('ordre limite : prix obligatoire et positif', () => {
    const limit = (price) => validateOrderForm(form({ orderType: 'limit', quantity: '0.01', price }), { market: BTC })
    expect(limit('').errors.price).toBe('Prix limite manquant pour un ordre limite.')
    expect(limit('0').errors.price).toBe('Le prix limite doit être strictement positif.')
    expect(limit('50000')).toEqual({ valid: true, errors: {}, warnings: [] })
  })

  it('sous les minimums de l’exchange : avertissement, pas blocage (l’exchange tranche)', () => {
    const result = validateOrderForm(form({ source: 'quote', quote: '1' }), { market: BTC, lastPrice: 60000 })
    expect(result.valid).toBe(true)
    expect(result.warnings).toEqual(['Montant sous le minimum de 5 USDT : l’exchange refusera l’ordre.'])
    const tiny = validateOrderForm(form({ quantity: '0.000001' }), { market: BTC, lastPrice: 60000 })
    expect(tiny.warnings.map(plain)).toEqual([
      'Quantité sous le minimum de 0,00001 BTC : l’exchange refusera l’ordre.',
      'Montant sous le minimum de 5 USDT : l’exchange refusera l’ordre.',
    ])
  })

  it('estime au dernier prix (marché) ou au prix limite', () => {
    expect(estimateOrder(form({ source: 'quote', quote: '100' }), { market: BTC, lastPrice: 60000 })).toEqual({ price: 60000, quantity: 0.00166, quote: 100 })
    expect(estimateOrder(form({ orderType: 'limit', quantity: '0.01', price: '50000' }), { market: BTC, lastPrice: 60000 })).toEqual({ price: 50000, quantity: 0.01, quote: 500 })
  })
})

describe('requête et résumé', () => {
  it('envoie le champ saisi par l’utilisateur (quantité OU montant), le prix pour un ordre limite', () => {
    expect(orderPayload(form({ source: 'quote', quote: '100', quantity: '0.00166' }), 'buy', { brokerId: 3, market: BTC })).toEqual({
      broker: 3, symbol: 'BTC/USDT', side: 'buy', order_type: 'market', quote_amount: '100',
    })
    expect(orderPayload(form({ orderType: 'limit', quantity: '0,01', price: '50 000,5' }), 'sell', { brokerId: 3, market: BTC })).toEqual({
      broker: 3, symbol: 'BTC/USDT', side: 'sell', order_type: 'limit', quantity: '0.01', price: '50000.5',
    })
    expect(toApiNumber(' 1 234,5 ')).toBe('1234.5')
  })

  it('résume l’ordre à confirmer (estimations marquées ≈)', () => {
    const summary = orderSummary(form({ source: 'quote', quote: '100' }), 'buy', { market: BTC, lastPrice: 60000 })
    expect({ ...summary, quantity: plain(summary.quantity), quote: plain(summary.quote), price: plain(summary.price), sent: plain(summary.sent) }).toEqual({
      side: 'buy',
      sideLabel: 'Achat',
      symbol: 'BTC/USDT',
      typeLabel: 'Marché',
      quantity: '≈ 0,00166 BTC',
      quote: '100,00 USDT',
      price: '≈ 60 000,00 USDT',
      priceLabel: 'Prix (marché, dernier connu)',
      sent: 'Montant de 100,00 USDT',
    })
    const limit = orderSummary(form({ orderType: 'limit', quantity: '0.01', price: '50000' }), 'sell', { market: BTC, lastPrice: 60000 })
    expect([limit.sideLabel, limit.typeLabel, plain(limit.quantity), plain(limit.quote), plain(limit.price), limit.priceLabel]).toEqual([
      'Vente', 'Limite', '0,01 BTC', '≈ 500,00 USDT', '50 000,00 USDT', 'Prix limite',
    ])
  })

  it('message de succès selon le statut du trade', () => {
    const filled = { symbol: 'BTC/USDT', side: 'buy', status: 'filled', quantity: '0.00166000', price: '60000.00', cost: '99.60' }
    expect(plain(tradeResultMessage(filled))).toBe('Achat exécuté : 0,00166 BTC à 60 000,00 USDT (99,60 USDT).')
    expect(plain(tradeResultMessage({ ...filled, side: 'sell' }))).toMatch(/^Vente exécutée : /)
    const open = { symbol: 'BTC/USDT', side: 'buy', status: 'open', requested_quantity: '0.01', requested_quote_amount: null, requested_price: '50000' }
    expect(plain(tradeResultMessage(open))).toBe('Ordre limite placé : achat de 0,01 BTC BTC/USDT à 50 000,00 USDT (ouvert).')
    expect(tradeResultMessage({ symbol: 'BTC/USDT', side: 'buy', status: 'canceled' })).toBe('Ordre BTC/USDT : Annulé.')
  })
})
