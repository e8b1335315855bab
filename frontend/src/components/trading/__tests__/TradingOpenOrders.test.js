import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import TradingOpenOrders from '../TradingOpenOrders.vue'

const STRATEGY = { source: 'strategy', order_type: 'oco', strategy_id: 3, strategy_name: 'EMA 10/20', active_strategy_id: 8, webhook_id: null }
const ORDERS = [
  { id: '41', symbol: 'BTC/USDT', side: 'sell', type: 'limit', price: 58506, amount: 0.00166, filled: 0, timestamp: 3, origin: { ...STRATEGY, role: 'stop_loss' } },
  { id: '42', symbol: 'BTC/USDT', side: 'sell', type: 'limit', price: 62400, amount: 0.00166, filled: 0, timestamp: 3, origin: { ...STRATEGY, role: 'take_profit' } },
  { id: '50', symbol: 'BTC/USDT', side: 'buy', type: 'limit', price: 48000, amount: 0.001, filled: 0, timestamp: 2, origin: { ...STRATEGY, source: 'manual', role: 'manual', order_type: 'limit', strategy_id: null, strategy_name: null, active_strategy_id: null } },
]
const plain = (text) => text.replace(/\s+/g, ' ').replace(/[\u00a0\u202f]/g, ' ').trim()

describe('TradingOpenOrders : protections d’une stratégie signalées, annulation avertie', () => {
  let wrapper
  let cancel
  beforeEach(() => {
    setActivePinia(createPinia())
    cancel = vi.fn(async () => ({}))
    wrapper = mount(TradingOpenOrders, { attachTo: document.body, props: { orders: ORDERS, symbol: 'BTC/USDT', cancel } })
  })
  afterEach(() => wrapper.unmount())

  const rowOf = (id) => wrapper.find(`[data-testid="open-order-${id}"]`)
  const dialogText = () => plain(document.querySelector('[data-testid="confirm-dialog"]')?.textContent ?? '')

  it('badge « Protection SL/TP — stratégie » et types en français (OCO · Stop loss, Limite), sens Achat/Vente', () => {
    expect(rowOf('41').attributes('data-protection')).toBe('stop_loss')
    expect(rowOf('41').find('[data-testid="protection-badge"]').text()).toBe('Protection SL/TP — stratégie « EMA 10/20 »')
    expect(rowOf('41').text()).toContain('OCO · Stop loss')
    expect(rowOf('41').text()).toContain('Vente')
    expect(rowOf('42').text()).toContain('OCO · Take profit')
    expect(rowOf('50').find('[data-testid="protection-badge"]').exists()).toBe(false)
    expect(rowOf('50').text()).toContain('Limite')
    expect(rowOf('50').text()).toContain('Achat')
    expect(wrapper.text()).not.toMatch(/\b(limit|buy|sell)\b/)
  })

  it('annuler une protection : avertissement, rien n’est annulé avant la confirmation', async () => {
    await rowOf('41').find('[data-testid="cancel-order"]').trigger('click')
    await flushPromises()
    expect(dialogText()).toContain('Annuler une protection SL/TP ?')
    expect(dialogText()).toContain('Vente OCO · Stop loss de 0,00166 BTC/USDT à 58 506 (ordre 41).')
    expect(document.querySelector('[data-testid="cancel-protection-warning"]').textContent).toContain('La position restera ouverte sans protection sur l’exchange')
    expect(cancel).not.toHaveBeenCalled()
    document.querySelector('[data-testid="confirm-accept"]').click()
    await flushPromises()
    expect(cancel).toHaveBeenCalledWith(ORDERS[0])
    expect(wrapper.emitted('canceled')[0][0].id).toBe('41')
  })

  it('annuler un ordre manuel : confirmation ordinaire, sans avertissement', async () => {
    await rowOf('50').find('[data-testid="cancel-order"]').trigger('click')
    await flushPromises()
    expect(dialogText()).toContain('Annuler l’ordre ?')
    expect(dialogText()).toContain('Achat Limite de 0,001 BTC/USDT à 48 000 (ordre 50).')
    expect(document.querySelector('[data-testid="cancel-protection-warning"]')).toBeNull()
  })
})
