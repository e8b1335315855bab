import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from '../../../../tests/helpers/fakeWebSocket.js'
import { jsonResponse, stubFetch } from '../../../../tests/helpers/fetch.js'
import { resetSockets } from '../../../websocket/index.js'
import AccountBrokerModal from '../AccountBrokerModal.vue'

const EXCHANGES = [
  { id: 'binance', name: 'Binance', sandbox: true, requires_password: false },
  { id: 'bitstamp', name: 'Bitstamp', sandbox: false, requires_password: false },
  { id: 'kucoin', name: 'KuCoin', sandbox: false, requires_password: true },
]
const CHECK_OK = { ok: true, exchange: 'binance', balances: [{ asset: 'USDT', free: '10000', used: '0', total: '10000', usd_value: '10000' }], total_usd: '10000' }

function routes(overrides = {}) {
  return {
    'GET /api/brokers/exchanges/': jsonResponse(200, EXCHANGES),
    'GET /api/brokers/': jsonResponse(200, []),
    'GET /api/auth/me/': jsonResponse(200, { authenticated: true, user: { id: 1 } }),
    'POST /api/brokers/check/': jsonResponse(200, CHECK_OK),
    'POST /api/brokers/': jsonResponse(201, { id: 1, name: 'Principal', exchange: 'binance' }),
    ...overrides,
  }
}

describe('AccountBrokerModal', () => {
  let fetchMock
  let wrapper

  async function openModal(broker = null) {
    wrapper = mount(AccountBrokerModal, { attachTo: document.body })
    wrapper.vm.openFor(broker)
    await flushPromises()
  }
  const $ = (selector) => document.querySelector(selector)
  async function fill(name, value) {
    const input = $(`[data-testid="broker-modal"] [name="${name}"]`)
    input.value = value
    input.dispatchEvent(new Event(input.tagName === 'SELECT' ? 'change' : 'input'))
    await flushPromises()
  }
  async function click(testid) {
    $(`[data-testid="${testid}"]`).click()
    await flushPromises()
  }
  const calls = (method, path) => fetchMock.mock.calls.filter(([url, init]) => url === path && init.method === method)

  beforeEach(() => {
    FakeWebSocket.reset()
    vi.stubGlobal('WebSocket', FakeWebSocket)
    resetSockets()
    setActivePinia(createPinia())
  })

  afterEach(() => {
    wrapper?.unmount()
    document.body.innerHTML = ''
    resetSockets()
  })

  it('vérifie les clés, affiche le solde, puis enregistre après confirmation', async () => {
    fetchMock = stubFetch(routes())
    await openModal()
    await fill('name', 'Principal')
    await fill('api_key', 'demo-api-key')
    await fill('api_secret', 'demo-api-secret')
    expect($('[data-testid="broker-save"]')).toBeNull()

    await click('broker-check')
    expect(JSON.parse(calls('POST', '/api/brokers/check/')[0][1].body)).toMatchObject({ exchange: 'binance', api_key: 'demo-api-key', api_secret: 'demo-api-secret' })
    expect($('[data-testid="broker-balance"]').textContent).toContain('USDT')
    expect($('[data-testid="broker-balance-total"]').textContent).toMatch(/10\s000,00 \$/)
    expect(calls('POST', '/api/brokers/')).toHaveLength(0)

    await click('broker-save')
    expect(JSON.parse(calls('POST', '/api/brokers/')[0][1].body)).toEqual({
      name: 'Principal', exchange: 'binance', is_testnet: false, is_default: true, api_key: 'demo-api-key', api_secret: 'demo-api-secret',
    })
    expect($('[data-testid="broker-modal"]')).toBeNull()
  })

  it('affiche l’erreur française de l’exchange et n’enregistre pas', async () => {
    fetchMock = stubFetch(routes({ 'POST /api/brokers/check/': jsonResponse(400, { detail: 'Erreur de connexion à Binance : Invalid API-key, IP, or permissions for action.' }) }))
    await openModal()
    await fill('name', 'Principal')
    await fill('api_key', 'x')
    await fill('api_secret', 'y')
    await click('broker-check')
    expect($('[data-testid="broker-error"]').textContent).toContain('Erreur de connexion à Binance : Invalid API-key')
    expect($('[data-testid="broker-balance"]')).toBeNull()
    expect($('[data-testid="broker-save"]')).toBeNull()
  })

  it('refuse de vérifier un formulaire incomplet (sans appel réseau)', async () => {
    fetchMock = stubFetch(routes())
    await openModal()
    await click('broker-check')
    expect(calls('POST', '/api/brokers/check/')).toHaveLength(0)
    expect(document.querySelectorAll('[data-testid="broker-modal"] .field__error').length).toBe(3)
  })

  it('modifier un champ après la vérification oblige à revérifier', async () => {
    fetchMock = stubFetch(routes())
    await openModal()
    await fill('name', 'Principal')
    await fill('api_key', 'k')
    await fill('api_secret', 's')
    await click('broker-check')
    expect($('[data-testid="broker-save"]')).not.toBeNull()
    await fill('name', 'Autre nom')
    expect($('[data-testid="broker-save"]')).toBeNull()
    expect($('[data-testid="broker-balance"]')).toBeNull()
  })

  it('désactive et explique le testnet pour un exchange sans sandbox ; passphrase si exigée', async () => {
    fetchMock = stubFetch(routes())
    await openModal()
    const toggle = () => $('[data-testid="testnet-switch"]')
    expect(toggle().disabled).toBe(false)
    toggle().click()
    await flushPromises()
    expect(toggle().getAttribute('aria-checked')).toBe('true')

    await fill('exchange', 'bitstamp')
    expect(toggle().disabled).toBe(true)
    expect(toggle().getAttribute('aria-checked')).toBe('false')
    expect($('[data-testid="testnet-help"]').textContent).toContain('Bitstamp ne propose pas de testnet')
    expect($('[data-testid="broker-modal"] [name="password"]')).toBeNull()

    await fill('exchange', 'kucoin')
    expect($('[data-testid="broker-modal"] [name="password"]')).not.toBeNull()
  })

  it('modification : clés vides gardées, vérification avec broker_id, PATCH sans secrets', async () => {
    fetchMock = stubFetch(routes({ 'PATCH /api/brokers/4/': jsonResponse(200, { id: 4, name: 'Renommé' }) }))
    await openModal({ id: 4, name: 'Ancien', exchange: 'binance', is_default: false, is_testnet: false, has_password: false, api_key_hint: '****-key' })
    expect($('[data-testid="broker-modal"] [name="api_key"]').placeholder).toContain('****-key')
    await fill('name', 'Renommé')
    await click('broker-check')
    expect(JSON.parse(calls('POST', '/api/brokers/check/')[0][1].body)).toMatchObject({ broker_id: 4, api_key: '', api_secret: '' })
    await click('broker-save')
    expect(JSON.parse(calls('PATCH', '/api/brokers/4/')[0][1].body)).toEqual({ name: 'Renommé', exchange: 'binance', is_testnet: false })
  })

  it('broker papier : ni clés ni testnet, soldes de départ, enregistrement direct sans vérification', async () => {
    fetchMock = stubFetch(routes({
      'POST /api/brokers/': jsonResponse(201, { id: 2, name: 'Essai', exchange: 'binance', is_paper: true, paper_balances: { USDT: '500' } }),
    }))
    await openModal()
    await click('paper-switch')
    expect($('[data-testid="broker-modal"] [name="api_key"]')).toBeNull()
    expect($('[data-testid="testnet-switch"]')).toBeNull()
    expect($('[data-testid="broker-modal"] [data-testid="paper-badge"]')).not.toBeNull()
    await fill('name', 'Essai')
    await fill('paper_balances', 'beaucoup')
    await click('broker-save')
    expect(calls('POST', '/api/brokers/')).toHaveLength(0)
    expect(document.body.textContent).toContain('illisible')

    await fill('paper_balances', '500 USDT; 0,25 BTC')
    await click('broker-save')
    expect(calls('POST', '/api/brokers/check/')).toHaveLength(0)
    expect(JSON.parse(calls('POST', '/api/brokers/')[0][1].body)).toEqual({
      name: 'Essai', exchange: 'binance', is_paper: true, is_default: true, paper_balances: { USDT: '500', BTC: '0.25' },
    })
    expect($('[data-testid="broker-modal"]')).toBeNull()
  })

  it('broker papier refusé par le serveur : l’erreur reste dans la fenêtre, on peut corriger', async () => {
    fetchMock = stubFetch(routes({
      'POST /api/brokers/': jsonResponse(400, { detail: 'Actif inconnu sur Binance : FOO.', errors: { paper_balances: ['Actif(s) coté(s) sur aucun marché spot de Binance : FOO.'] } }),
    }))
    await openModal()
    await click('paper-switch')
    await fill('name', 'Essai')
    await fill('paper_balances', '1 FOO')
    await click('broker-save')
    expect($('[data-testid="broker-error"]').textContent).toContain('Actif inconnu sur Binance : FOO.')
    expect(document.body.textContent).toContain('aucun marché spot')
    expect($('[data-testid="broker-save"]')).not.toBeNull()
  })
})

