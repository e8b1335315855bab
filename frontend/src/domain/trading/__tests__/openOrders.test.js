import { describe, expect, it } from 'vitest'
import { cancelWarning, isProtection, openOrderType, orderDescription, protectionBadge } from '../openOrders.js'

const origin = (over = {}) => ({
  source: 'strategy', role: 'stop_loss', order_type: 'oco', strategy_id: 3, strategy_name: 'EMA 10/20',
  active_strategy_id: 8, webhook_id: null, ...over,
})
const order = (over = {}) => ({ id: '41', symbol: 'BTC/USDT', side: 'sell', type: 'limit', price: 58506, amount: 0.00166, origin: origin(), ...over })
const plain = (text) => text.replace(/[\u00a0\u202f]/g, ' ')

describe('ordres ouverts : protections SL/TP d’une stratégie', () => {
  it('une jambe d’OCO de stratégie est une protection, avec badge et type « OCO · Stop loss »', () => {
    expect(isProtection(order())).toBe(true)
    expect(protectionBadge(order())).toBe('Protection SL/TP — stratégie « EMA 10/20 »')
    expect(openOrderType(order())).toBe('OCO · Stop loss')
    expect(openOrderType(order({ origin: origin({ role: 'take_profit' }) }))).toBe('OCO · Take profit')
    expect(openOrderType(order({ origin: origin({ order_type: 'stop_loss_limit' }) }))).toBe('Stop loss limite')
    expect(plain(orderDescription(order()))).toBe('Vente OCO · Stop loss de 0,00166 BTC/USDT à 58 506')
  })

  it('un ordre manuel ou inconnu d’Aristobot n’est pas une protection : type de l’exchange en français', () => {
    const manual = order({ side: 'buy', type: 'limit', price: 48000, amount: 0.001, origin: origin({ source: 'manual', role: 'manual', order_type: 'limit' }) })
    expect(isProtection(manual)).toBe(false)
    expect(protectionBadge(manual)).toBe('')
    expect(cancelWarning(manual)).toBe('')
    expect(plain(orderDescription(manual))).toBe('Achat Limite de 0,001 BTC/USDT à 48 000')
    const foreign = order({ type: 'market', origin: null, price: null })
    expect(isProtection(foreign)).toBe(false)
    expect(openOrderType(foreign)).toBe('Marché')
    expect(plain(orderDescription(foreign))).toBe('Vente Marché de 0,00166 BTC/USDT')
  })

  it('avertissement avant l’annulation : OCO annulée en entier, la position ne reste que surveillée par le moteur', () => {
    const text = cancelWarning(order())
    expect(text).toContain('Cet ordre est le stop loss qui protège la position de la stratégie « EMA 10/20 ».')
    expect(text).toContain('le stop loss et le take profit seront annulés ensemble')
    expect(text).toContain('La position restera ouverte sans protection sur l’exchange')
    const takeProfit = cancelWarning(order({ origin: origin({ role: 'take_profit', order_type: 'limit' }) }))
    expect(takeProfit).toContain('le take profit')
    expect(takeProfit).not.toContain('OCO')
  })

  it('protection d’un webhook, ou d’une stratégie supprimée', () => {
    const webhook = order({ origin: origin({ source: 'webhook', strategy_id: null, strategy_name: null, webhook_id: 12 }) })
    expect(protectionBadge(webhook)).toBe('Protection SL/TP — webhook n° 12')
    expect(cancelWarning(webhook)).toContain('protège la position achetée par le webhook n° 12')
    expect(cancelWarning(webhook)).toContain('rien ne la vendra plus automatiquement')
    expect(protectionBadge(order({ origin: origin({ strategy_name: null }) }))).toBe('Protection SL/TP — stratégie n° 3 (supprimée)')
  })
})
