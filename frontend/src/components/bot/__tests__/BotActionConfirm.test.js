import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import BotActionConfirm from '../BotActionConfirm.vue'

const NOW = Date.parse('2026-03-10T12:00:00Z')
const ITEM = {
  id: 4, strategy_name: 'EMA 10/20', symbol: 'BTC/USDT', start_date: '2026-03-01T00:00:00Z', end_date: '2026-04-01T00:00:00Z',
  is_active: true, last_error: '', position: null,
}
const POSITION = {
  status: 'open', symbol: 'BTC/USDT', quantity: '0.0005', entry_price: '40000', entry_cost: '20', last_price: '42000',
  stop_loss_price: '39000', take_profit_price: '44000', protection_mode: 'exchange',
}
const STOPPED = { ...ITEM, is_active: false, end_date: '2001-01-01T00:00:00Z' }

describe('BotActionConfirm : les confirmations disent ce qui se passe', () => {
  let wrapper
  afterEach(() => wrapper?.unmount())

  const open = (kind, item, extra = {}) => {
    wrapper = mount(BotActionConfirm, { attachTo: document.body, props: { action: { kind, item, ...extra }, now: NOW } })
    return document.querySelector(`[data-testid="bot-confirm-${kind}"]`).textContent.replace(/\s+/g, ' ').replace(/[\u00a0\u202f]/g, ' ')
  }

  it('Vendre une position d’une stratégie arrêtée : « arrêtée », jamais « La stratégie reste active »', () => {
    const text = open('sell', { ...STOPPED, position: POSITION })
    expect(text).not.toContain('reste active')
    expect(text).toContain('La stratégie est arrêtée : elle ne reprendra pas de position.')
    expect(text).toContain('sont d’abord annulés')
  })

  it('Vendre : suspendue → « reste suspendue » ; active → « reste active »', () => {
    expect(open('sell', { ...ITEM, is_active: false, position: POSITION })).toContain('La stratégie reste suspendue')
    wrapper.unmount()
    expect(open('sell', { ...ITEM, position: POSITION })).toContain('La stratégie reste active et peut reprendre position au prochain signal.')
  })

  it('Stop : explique l’arrêt, sans la date de fin interne', () => {
    const text = open('stop', ITEM)
    expect(text).toContain('« EMA 10/20 » sur BTC/USDT sera arrêtée. Elle ne prendra plus aucun signal')
    expect(text).toContain('Pour une simple pause, préférez « Suspendre »')
    expect(text).not.toMatch(/2001|01\.01/)
  })

  it('Stop avec position : la position et ses ordres SL/TP sur l’exchange restent, « Vendre » la clôture', () => {
    const text = open('stop-position', { ...ITEM, position: POSITION })
    expect(text).toContain('a une position ouverte')
    expect(text).toContain('ses ordres de protection (SL 39 000,00 USDT / TP 44 000,00 USDT) restent posés sur l’exchange')
    expect(text).toContain('utilisez « Vendre »')
    expect(text).not.toMatch(/2001|01\.01/)
  })
})
