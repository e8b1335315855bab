import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import TradingOrderConfirm from '../TradingOrderConfirm.vue'
import TradingOrderForm from '../TradingOrderForm.vue'
import TradingSymbolList from '../TradingSymbolList.vue'

const BTC = { id: 1, symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amount_precision: '0.00001', price_precision: '0.01', min_amount: '0.00001', min_cost: '5' }

describe('TradingOrderForm', () => {
  let pinia

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
  })

  const mountForm = (props = {}) =>
    mount(TradingOrderForm, {
      props: { market: BTC, lastPrice: 60000, ticker: { symbol: 'BTC/USDT', last: 60000, bid: 60000, ask: 60001, receivedAt: 0 }, freeBase: 0.5, freeQuote: 10000, ...props },
      global: { plugins: [pinia] },
    })

  it('montant saisi → quantité calculée au dernier prix ; quantité saisie → montant', async () => {
    const wrapper = mountForm()
    await wrapper.find('[data-testid="order-quote"]').setValue('100')
    expect(wrapper.find('[data-testid="order-quantity"]').element.value).toBe('0.00166')
    await wrapper.find('[data-testid="order-quantity"]').setValue('0.01')
    expect(wrapper.find('[data-testid="order-quote"]').element.value).toBe('600.00')
  })

  it('le champ calculé suit le prix en direct', async () => {
    const wrapper = mountForm()
    await wrapper.find('[data-testid="order-quote"]').setValue('120')
    await wrapper.setProps({ lastPrice: 40000 })
    expect(wrapper.find('[data-testid="order-quantity"]').element.value).toBe('0.003')
    expect(wrapper.find('[data-testid="order-quote"]').element.value).toBe('120')
  })

  it('ordre limite : prix pré-rempli, conversion au prix limite', async () => {
    const wrapper = mountForm()
    await wrapper.find('[data-testid="order-type"] [data-value="limit"]').trigger('click')
    expect(wrapper.find('[data-testid="order-price"]').element.value).toBe('60000')
    await wrapper.find('[data-testid="order-price"]').setValue('50000')
    await wrapper.find('[data-testid="order-quantity"]').setValue('0.01')
    expect(wrapper.find('[data-testid="order-quote"]').element.value).toBe('500.00')
    await wrapper.find('[data-testid="order-sell"]').trigger('click')
    expect(wrapper.emitted('submit')[0][0]).toEqual({
      side: 'sell',
      form: { orderType: 'limit', quantity: '0.01', quote: '500.00', price: '50000', source: 'quantity' },
    })
  })

  it('n’émet rien et explique quand la saisie est invalide', async () => {
    const wrapper = mountForm()
    await wrapper.find('[data-testid="order-buy"]').trigger('click')
    expect(wrapper.emitted('submit')).toBeUndefined()
    expect(wrapper.find('[data-testid="order-error-quantity"]').text()).toBe('Saisissez une quantité.')
    await wrapper.find('[data-testid="order-quote"]').setValue('-3')
    await wrapper.find('[data-testid="order-buy"]').trigger('click')
    expect(wrapper.find('[data-testid="order-error-quote"]').text()).toBe('Le montant doit être strictement positif.')
  })

  it('sous le minimum de l’exchange : avertit mais laisse l’exchange trancher', async () => {
    const wrapper = mountForm()
    await wrapper.find('[data-testid="order-quote"]').setValue('1')
    expect(wrapper.find('[data-testid="order-warning"]').text()).toContain('Montant sous le minimum de 5 USDT')
    await wrapper.find('[data-testid="order-buy"]').trigger('click')
    expect(wrapper.emitted('submit')[0][0].form).toMatchObject({ source: 'quote', quote: '1' })
  })

  it('sans symbole : boutons désactivés', () => {
    const wrapper = mountForm({ market: null, lastPrice: null, ticker: null })
    expect(wrapper.find('[data-testid="order-buy"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="selected-symbol"]').text()).toBe('Aucun symbole')
  })
})

describe('TradingOrderConfirm', () => {
  it('résume l’ordre dans une modale et émet la confirmation', async () => {
    const summary = { side: 'buy', sideLabel: 'Achat', symbol: 'BTC/USDT', typeLabel: 'Marché', quantity: '≈ 0,00166 BTC', quote: '100,00 USDT', price: '≈ 60 000,00 USDT', priceLabel: 'Prix', sent: 'Montant de 100,00 USDT' }
    const wrapper = mount(TradingOrderConfirm, { props: { open: true, summary, brokerName: 'Principal' }, attachTo: document.body })
    const dialog = document.querySelector('[data-testid="order-confirm-dialog"]')
    expect(dialog.getAttribute('role')).toBe('dialog')
    expect(dialog.querySelector('[data-testid="confirm-side"]').textContent).toBe('Achat')
    expect(dialog.querySelector('[data-testid="confirm-quantity"]').textContent).toBe('≈ 0,00166 BTC')
    expect(dialog.querySelector('[data-testid="order-confirm"]').textContent.trim()).toBe('Confirmer l’achat')
    dialog.querySelector('[data-testid="order-confirm"]').click()
    expect(wrapper.emitted('confirm')).toHaveLength(1)
    wrapper.unmount()
  })
})

describe('TradingSymbolList', () => {
  const mountList = (props) => mount(TradingSymbolList, { props: { symbols: [], ...props }, global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } } })

  it('liste vide : le chargement des paires se lance sur place (pas de détour par Mon Compte)', () => {
    setActivePinia(createPinia())
    const wrapper = mountList({ loaded: true, count: 0, exchangeName: 'Binance', broker: { id: 5, exchange: 'binance' } })
    expect(wrapper.find('[data-testid="symbols-empty-hint"]').text()).toContain('Aucune paire enregistrée pour Binance')
    expect(wrapper.find('[data-testid="pairs-missing-load"]').attributes('disabled')).toBeUndefined()
  })

  it('sélection, recherche, taille et pages émises', async () => {
    const wrapper = mountList({ symbols: [BTC], loaded: true, count: 60, page: 2, pageSize: 10, selected: 'BTC/USDT' })
    expect(wrapper.find('[data-testid="symbol-BTC/USDT"]').attributes('aria-pressed')).toBe('true')
    await wrapper.find('[data-testid="symbol-BTC/USDT"]').trigger('click')
    await wrapper.find('[data-testid="symbol-search"]').setValue('eth')
    await wrapper.find('[data-testid="symbol-page-size"]').setValue('50')
    await wrapper.find('[aria-label="Page suivante"]').trigger('click')
    expect(wrapper.emitted('select')[0][0]).toEqual(BTC)
    expect(wrapper.emitted('search')[0]).toEqual(['eth'])
    expect(wrapper.emitted('page-size')[0]).toEqual([50])
    expect(wrapper.emitted('page')[0]).toEqual([3])
    expect(wrapper.find('[data-testid="symbol-page-label"]').text()).toBe('11–20 sur 60')
  })
})
