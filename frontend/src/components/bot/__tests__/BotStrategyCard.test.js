import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import BotStrategyCard from '../BotStrategyCard.vue'

const NOW = Date.parse('2026-03-10T12:00:00Z')
const ITEM = {
  id: 4, strategy_name: 'EMA 10/20', timeframe: '15m', broker_name: 'Principal', symbol: 'BTC/USDT',
  start_date: '2026-03-01T00:00:00Z', end_date: '2026-04-01T00:00:00Z', is_active: true,
  last_run_at: '2026-03-10T11:45:00Z', last_error: '', realized_pnl: '1.5', recent_trades: [], position: null,
}
const POSITION = {
  status: 'open', symbol: 'BTC/USDT', quantity: '0.0005', entry_price: '40000', entry_cost: '20', last_price: '42000',
  unrealized_pnl: '1', stop_loss_price: '39000', take_profit_price: '44000', protection_mode: 'exchange', opened_at: '2026-03-10T11:00:00Z',
}
const TRADES = [
  { id: 8, side: 'sell', role: 'exit', status: 'error', quantity: '0', requested_quantity: '0.0005', price: null, cost: '0', profit_loss: null, error_message: 'Solde insuffisant', created_at: '2026-03-10T11:50:00Z' },
  { id: 7, side: 'buy', role: 'entry', order_type: 'market', status: 'filled', quantity: '0.0005', price: '40000', cost: '20', profit_loss: null, error_message: '', created_at: '2026-03-10T11:00:00Z' },
]

describe('BotStrategyCard', () => {
  let pinia
  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
  })

  const mountCard = (item, props = {}) => mount(BotStrategyCard, { props: { item, now: NOW, ...props }, global: { plugins: [pinia] } })
  const buttons = (wrapper) => ['suspend', 'resume', 'sell', 'stop', 'delete'].filter((name) => wrapper.find(`[data-testid="bot-${name}"]`).exists())
  const text = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`).text().replace(/[\u00a0\u202f]/g, ' ')

  it('active avec position : identité, position, trades (erreurs comprises), P&L total coloré', async () => {
    const wrapper = mountCard({ ...ITEM, position: POSITION, recent_trades: TRADES })
    expect(wrapper.text()).toContain('EMA 10/20')
    expect(wrapper.text()).toContain('15m')
    expect(wrapper.find('[data-testid="bot-state"]').attributes('data-state')).toBe('active')
    expect(buttons(wrapper)).toEqual(['suspend', 'sell', 'stop'])
    expect(text(wrapper, 'bot-position-qty')).toBe('0,0005 BTC')
    expect(text(wrapper, 'bot-position-pnl')).toMatch(/^\+1,00 USDT/)
    expect(text(wrapper, 'bot-pnl-total')).toBe('+2,50 USDT')
    expect(wrapper.find('[data-testid="bot-pnl-total"]').classes()).toContain('pnl--profit')
    expect(wrapper.find('[data-testid="bot-trade-8"]').attributes('data-status')).toBe('error')
    expect(text(wrapper, 'bot-trade-error')).toBe('↳ Solde insuffisant')
    // Sens, rôle et type en français (libellés communs).
    expect(text(wrapper, 'bot-trade-7')).toContain('Achat')
    expect(text(wrapper, 'bot-trade-7')).toContain('Entrée · Marché')
    expect(text(wrapper, 'bot-trade-8')).toContain('Sortie')
    await wrapper.find('[data-testid="bot-sell"]').trigger('click')
    await wrapper.find('[data-testid="bot-stop"]').trigger('click')
    expect(Object.keys(wrapper.emitted())).toEqual(expect.arrayContaining(['sell', 'stop']))
    expect(wrapper.emitted('sell')[0][0].id).toBe(4)
  })

  it('erreur : badge rouge avec la dernière erreur en infobulle', () => {
    const wrapper = mountCard({ ...ITEM, last_error: 'Bougies indisponibles' })
    const badge = wrapper.find('[data-testid="bot-state"]')
    expect(badge.text()).toBe('Erreur')
    expect(badge.attributes('title')).toBe('Dernière erreur : Bougies indisponibles')
    expect(text(wrapper, 'bot-last-error')).toBe('Bougies indisponibles')
  })

  it('suspendue : Reprendre ; arrêtée : Supprimer seulement ; bloqué si une position reste ouverte', () => {
    expect(buttons(mountCard({ ...ITEM, is_active: false }))).toEqual(['resume', 'stop'])
    const stopped = { ...ITEM, is_active: false, end_date: '2001-01-01T00:00:00Z' }
    const wrapper = mountCard(stopped)
    expect(buttons(wrapper)).toEqual(['delete'])
    expect(wrapper.find('[data-testid="bot-state"]').text()).toBe('Arrêtée')
    // La date de fin interne du Stop (2001) n'est jamais montrée.
    expect(wrapper.find('[data-testid="bot-state"]').attributes('title')).toBe('Arrêtée par « Stop » : ne prend plus aucun signal')
    expect(wrapper.text()).not.toContain('2001')
    const withPosition = mountCard({ ...stopped, position: POSITION })
    expect(buttons(withPosition)).toEqual(['sell', 'delete'])
    expect(withPosition.find('[data-testid="bot-delete"]').attributes('disabled')).toBeDefined()
  })

  it('action en cours : boutons désactivés', () => {
    const wrapper = mountCard(ITEM, { pending: 'suspend' })
    expect(wrapper.find('[data-testid="bot-suspend"]').text()).toContain('Suspension…')
    expect(wrapper.find('[data-testid="bot-stop"]').attributes('disabled')).toBeDefined()
  })
})
