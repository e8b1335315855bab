import { describe, expect, it } from 'vitest'
import { orderTypeLabel, roleLabel, sideLabel, statusLabel, webhookActionLabel } from '../labels.js'

describe('libellés français communs des ordres', () => {
  it('sens : Achat / Vente, quelle que soit la casse', () => {
    expect(sideLabel('buy')).toBe('Achat')
    expect(sideLabel('sell')).toBe('Vente')
    expect(sideLabel('SELL')).toBe('Vente')
    expect(sideLabel('')).toBe('—')
    expect(sideLabel(null)).toBe('—')
  })

  it('types : ceux de CCXT, de Binance et du journal trades', () => {
    expect(orderTypeLabel('limit')).toBe('Limite')
    expect(orderTypeLabel('market')).toBe('Marché')
    expect(orderTypeLabel('LIMIT_MAKER')).toBe('Limite (maker)')
    expect(orderTypeLabel('stop')).toBe('Stop')
    expect(orderTypeLabel('stop_loss')).toBe('Stop loss')
    expect(orderTypeLabel('STOP_LOSS_LIMIT')).toBe('Stop loss limite')
    expect(orderTypeLabel('take_profit')).toBe('Take profit')
    expect(orderTypeLabel('take_profit_limit')).toBe('Take profit limite')
    expect(orderTypeLabel('stop-market')).toBe('Stop marché')
    expect(orderTypeLabel('oco')).toBe('OCO')
    // Inconnu : lisible plutôt que caché.
    expect(orderTypeLabel('iceberg_twap')).toBe('iceberg twap')
  })

  it('rôles, statuts et actions webhook', () => {
    expect(roleLabel('entry')).toBe('Entrée')
    expect(roleLabel('stop_loss')).toBe('Stop loss')
    expect(statusLabel('filled')).toBe('Exécuté')
    expect(statusLabel('partially_filled')).toBe('Partiel')
    expect(webhookActionLabel('close')).toBe('Clôture (tout vendre)')
    expect(webhookActionLabel('buy')).toBe('Achat')
  })
})
