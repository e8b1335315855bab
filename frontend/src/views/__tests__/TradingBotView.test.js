import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, stubFetch } from '../../../tests/helpers/fetch.js'
import { useAuthStore } from '../../stores/auth.js'
import { useBotStore } from '../../stores/bot.js'
import { useNotificationsStore } from '../../stores/notifications.js'
import { resetSockets } from '../../websocket/index.js'
import TradingBotView from '../TradingBotView.vue'

const FUTURE = new Date(Date.now() + 30 * 86_400_000).toISOString()
const PAST = new Date(Date.now() - 86_400_000).toISOString()
const ACTIVE = {
  id: 1, strategy: 3, strategy_name: 'Achat', timeframe: '1m', broker: 5, broker_name: 'Principal', symbol: 'BTC/USDT',
  start_date: PAST, end_date: FUTURE, is_active: true, last_run_at: null, last_error: '', updated_at: 'u1',
}
const POSITION = { id: 9, status: 'open', symbol: 'BTC/USDT', quantity: '0.0005', entry_price: '40000', entry_cost: '20', last_price: '42000' }
const OPEN_MESSAGE = 'Une position est ouverte sur BTC/USDT (0,0005 BTC) : confirmez l’arrêt.'

describe('TradingBotView — Stop', () => {
  let wrapper
  let stopBodies
  let serverDetail

  beforeEach(() => {
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
    useAuthStore().user = { id: 1, username: 'dac', display_timezone: 'UTC' }
    stopBodies = []
    // L'interface ne connaît pas encore la position que le moteur vient d'ouvrir.
    serverDetail = { ...ACTIVE, position: null, recent_trades: [], realized_pnl: '0' }
    stubFetch({
      'GET /api/active-strategies/': () => jsonResponse(200, [ACTIVE]),
      'GET /api/active-strategies/1/': () => jsonResponse(200, serverDetail),
      'GET /api/strategies/': jsonResponse(200, [{ id: 3, name: 'Achat', timeframe: '1m' }]),
      'GET /api/brokers/': jsonResponse(200, [{ id: 5, name: 'Principal', exchange: 'binance', is_default: true }]),
      'GET /api/brokers/exchanges/': jsonResponse(200, []),
      'GET /api/market-symbols/': jsonResponse(200, { count: 0, results: [] }),
      'GET /api/status/': jsonResponse(200, { heartbeat: {}, live_strategies: 1 }),
      'POST /api/active-strategies/1/stop/': (url, init) => {
        const body = JSON.parse(init.body)
        stopBodies.push(body)
        if (!body.confirm) return jsonResponse(409, { detail: OPEN_MESSAGE, code: 'position_open', position_id: 9 })
        serverDetail = { ...serverDetail, is_active: false, end_date: '2001-01-01T00:00:00Z', position: POSITION }
        return jsonResponse(200, serverDetail)
      },
    })
  })

  afterEach(() => {
    wrapper?.unmount()
    useBotStore().stop()
    resetSockets()
  })

  const dialogTestId = () => document.querySelector('[data-testid="confirm-dialog"] [data-testid^="bot-confirm-"]')?.dataset.testid
  const accept = async () => {
    document.querySelector('[data-testid="confirm-accept"]').click()
    await flushPromises()
  }

  it('409 position_open : l’avertissement renforcé remplace la confirmation, puis renvoi avec confirm', async () => {
    wrapper = mount(TradingBotView, { attachTo: document.body, global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } } })
    await flushPromises()
    await wrapper.find('[data-testid="bot-stop"]').trigger('click')
    await flushPromises()
    expect(dialogTestId()).toBe('bot-confirm-stop')
    await accept()
    expect(dialogTestId()).toBe('bot-confirm-stop-position')
    expect(document.querySelector('[data-testid="bot-confirm-stop-position"]').textContent).toContain(OPEN_MESSAGE)
    expect(document.querySelector('[data-testid="bot-stop-after"]').textContent).toContain('La position reste ouverte')
    await accept()
    expect(stopBodies).toEqual([{ confirm: false }, { confirm: true }])
    expect(document.querySelector('[data-testid="confirm-dialog"]')).toBeNull()
    expect(wrapper.find('[data-testid="bot-state"]').text()).toBe('Arrêtée')
    expect(useNotificationsStore().items.map((n) => n.message)).toContain('Stratégie « Achat » (BTC/USDT) arrêtée.')
  })
})
