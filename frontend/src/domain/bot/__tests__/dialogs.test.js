import { describe, expect, it } from 'vitest'
import { positionAfterStop, protectionLevels, protectionsBeforeSell, STOP_MEANING, strategyAfterSell } from '../dialogs.js'

const NOW = Date.parse('2026-03-10T12:00:00Z')
const item = (over = {}) => ({
  id: 1, symbol: 'BTC/USDT', start_date: '2026-03-01T00:00:00Z', end_date: '2026-04-01T00:00:00Z', is_active: true, last_error: '', ...over,
})
const POSITION = { status: 'open', symbol: 'BTC/USDT', quantity: '0.0005', stop_loss_price: '39000', take_profit_price: '44000', protection_mode: 'exchange' }
const plain = (text) => text.replace(/[\u00a0\u202f]/g, ' ')

describe('strategyAfterSell : la confirmation « Vendre » dit ce que devient la stratégie, selon son état réel', () => {
  it('active (ou en erreur) : reste active et peut reprendre position', () => {
    expect(strategyAfterSell(item(), NOW)).toBe('La stratégie reste active et peut reprendre position au prochain signal.')
    expect(strategyAfterSell(item({ last_error: 'Bougies indisponibles' }), NOW)).toContain('reste active')
  })

  it('suspendue : reste suspendue, ne reprend position qu’après « Reprendre »', () => {
    const text = strategyAfterSell(item({ is_active: false }), NOW)
    expect(text).toContain('reste suspendue')
    expect(text).not.toContain('reste active')
  })

  it('arrêtée (Stop) : ne dit jamais « reste active »', () => {
    const text = strategyAfterSell(item({ is_active: false, end_date: '2001-01-01T00:00:00Z' }), NOW)
    expect(text).toBe('La stratégie est arrêtée : elle ne reprendra pas de position.')
  })

  it('période terminée, ou pas encore commencée', () => {
    expect(strategyAfterSell(item({ end_date: '2026-03-09T00:00:00Z' }), NOW)).toContain('période de la stratégie est terminée')
    expect(strategyAfterSell(item({ start_date: '2026-03-11T00:00:00Z' }), NOW)).toContain('une fois sa période commencée')
  })
})

describe('positionAfterStop : sort de la position et de ses protections après Stop (comportement du moteur)', () => {
  it('protections posées sur l’exchange : elles restent, le moteur suit leur exécution', () => {
    const text = plain(positionAfterStop(POSITION))
    expect(text).toContain('La position reste ouverte')
    expect(text).toContain('(SL 39 000,00 USDT / TP 44 000,00 USDT) restent posés sur l’exchange')
  })

  it('seuils surveillés : vendus au marché par le moteur s’ils sont franchis', () => {
    const text = plain(positionAfterStop({ ...POSITION, protection_mode: 'watched', take_profit_price: null }))
    expect(text).toContain('(SL 39 000,00 USDT) restent surveillés par le moteur')
    expect(text).toContain('vend au marché')
  })

  it('sans SL ni TP : seule « Vendre » la clôturera', () => {
    expect(positionAfterStop({ ...POSITION, stop_loss_price: null, take_profit_price: null })).toBe(
      'La position reste ouverte, sans SL ni TP : seule « Vendre » la clôturera.',
    )
  })
})

describe('Stop et Vendre : textes', () => {
  it('Stop explique l’arrêt sans montrer la date de fin interne (01.01.2001)', () => {
    expect(STOP_MEANING).toContain('ne prendra plus aucun signal')
    expect(STOP_MEANING).not.toMatch(/2001|01\.01/)
  })

  it('Vendre annonce l’annulation des ordres de protection posés sur l’exchange (seulement eux)', () => {
    expect(plain(protectionsBeforeSell(POSITION))).toBe('Ses ordres de protection sur l’exchange (SL 39 000,00 USDT / TP 44 000,00 USDT) sont d’abord annulés.')
    expect(protectionsBeforeSell({ ...POSITION, protection_mode: 'watched' })).toBe('')
    expect(protectionsBeforeSell(null)).toBe('')
    expect(protectionLevels({ symbol: 'ETH/USDT', stop_loss_price: '0.5' })).toBe('SL 0,50 USDT')
  })
})
