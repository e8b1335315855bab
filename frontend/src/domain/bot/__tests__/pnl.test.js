import { describe, expect, it } from 'vitest'
import { formatPnl, formatPrice, formatQuantity, pnlTone, pnlTotals, positionMetrics, quoteOf, sellEstimate, strategyPnl, sumTradesPnl, toNumber } from '../pnl.js'

const POSITION = {
  status: 'open',
  symbol: 'BTC/USDT',
  quantity: '0.0005',
  entry_price: '40000',
  entry_cost: '20.02',
  last_price: '42000',
  unrealized_pnl: null,
  stop_loss_price: '39200',
  take_profit_price: null,
}

describe('nombres et symboles', () => {
  it('convertit les décimales de l’API', () => {
    expect(toNumber('1.50')).toBe(1.5)
    expect(toNumber(null)).toBeNull()
    expect(toNumber('')).toBeNull()
    expect(toNumber('abc')).toBeNull()
    expect(quoteOf('BTC/USDT')).toBe('USDT')
    expect(quoteOf('BTC/USDT:USDT')).toBe('USDT')
  })

  it('tonalité profit / perte / nulle', () => {
    expect(pnlTone('1.2')).toBe('profit')
    expect(pnlTone(-0.01)).toBe('loss')
    expect(pnlTone(0)).toBe('flat')
    expect(pnlTone(null)).toBe('flat')
  })
})

describe('position ouverte', () => {
  it('valeur au dernier prix et P&L latent recalculé sur le coût d’entrée frais compris', () => {
    const m = positionMetrics(POSITION)
    expect(m.value).toBeCloseTo(21)
    expect(m.unrealized).toBeCloseTo(0.98)
    expect(m.unrealizedPct).toBeCloseTo(0.98 / 20.02)
    expect(m.stopLoss).toBe(39200)
    expect(m.takeProfit).toBeNull()
  })

  it('préfère le P&L latent du moteur ; sans dernier prix, valeur au prix d’entrée et latent inconnu', () => {
    expect(positionMetrics({ ...POSITION, unrealized_pnl: '0.5' }).unrealized).toBe(0.5)
    const m = positionMetrics({ ...POSITION, last_price: null })
    expect(m.value).toBeCloseTo(20)
    expect(m.unrealized).toBeNull()
  })

  it('une position close ou absente ne compte pas', () => {
    expect(positionMetrics(null)).toBeNull()
    expect(positionMetrics({ ...POSITION, status: 'closed' })).toBeNull()
  })
})

describe('P&L par stratégie et totaux', () => {
  const trades = [
    { side: 'buy', profit_loss: null },
    { side: 'sell', profit_loss: '1.25' },
    { side: 'sell', profit_loss: '-0.75' },
  ]

  it('somme des P&L réalisés des trades', () => {
    expect(sumTradesPnl(trades)).toBeCloseTo(0.5)
    expect(sumTradesPnl([])).toBe(0)
    expect(sumTradesPnl(undefined)).toBe(0)
  })

  it('réalisé du serveur (cumul complet) sinon des trades connus, plus le latent', () => {
    expect(strategyPnl({ realized_pnl: '3.5', recent_trades: trades, position: POSITION }).total).toBeCloseTo(4.48)
    expect(strategyPnl({ realized_pnl: null, recent_trades: trades, position: null })).toEqual({ realized: 0.5, unrealized: null, total: 0.5 })
  })

  it('totaux de la page', () => {
    const totals = pnlTotals([
      { realized_pnl: '2', position: POSITION },
      { realized_pnl: '-1', position: null },
    ])
    expect(totals.openPositions).toBe(1)
    expect(totals.realized).toBeCloseTo(1)
    expect(totals.unrealized).toBeCloseTo(0.98)
    expect(totals.total).toBeCloseTo(1.98)
  })

  it('estimation de la vente : quantité, prix, valeur', () => {
    expect(sellEstimate({ symbol: 'BTC/USDT', position: POSITION })).toMatchObject({
      base: 'BTC', quote: 'USDT', quantity: 0.0005, price: 42000, priceIsEntry: false,
    })
    expect(sellEstimate({ symbol: 'BTC/USDT', position: null })).toBeNull()
    expect(sellEstimate({ symbol: 'BTC/USDT', position: { ...POSITION, last_price: null } }).priceIsEntry).toBe(true)
  })
})

describe('formatage', () => {

  const clean = (text) => text.replace(/[\u00a0\u202f]/g, ' ')

  it('P&L signé avec sa devise', () => {
    expect(clean(formatPnl('1.23456', 'USDT'))).toBe('+1,2346 USDT')
    expect(clean(formatPnl(-0.5, 'USDT'))).toBe('-0,50 USDT')
    expect(formatPnl(0)).toBe('0,00')
    expect(formatPnl(null, 'USDT')).toBe('—')
  })

  it('prix et quantités', () => {
    expect(clean(formatPrice('60123.456'))).toBe('60 123,46')
    expect(formatPrice('0.000012345')).toBe('0,00001235')
    expect(formatQuantity('0.00033000')).toBe('0,00033')
    expect(formatQuantity(null)).toBe('—')
  })
})
