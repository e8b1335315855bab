import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonResponse, requestBody, stubFetch } from '../../../../tests/helpers/fetch.js'
import AccountUsersCard from '../AccountUsersCard.vue'

const row = (id, username, extra = {}) => ({
  id,
  username,
  is_staff: false,
  is_active: true,
  date_joined: '2026-01-01T00:00:00Z',
  last_login: null,
  live_strategies: 0,
  open_positions: 0,
  is_self: false,
  ...extra,
})
const CHEF = row(1, 'chef', { is_staff: true, is_self: true })
const BOB = row(2, 'bob', { live_strategies: 1 })

describe('AccountUsersCard', () => {
  let pinia

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
    document.body.innerHTML = ''
  })

  async function render(routes = {}) {
    const fetchMock = stubFetch({ 'GET /api/users/': jsonResponse(200, [BOB, CHEF]), ...routes })
    const wrapper = mount(AccountUsersCard, { global: { plugins: [pinia] }, attachTo: document.body })
    await flushPromises()
    return { wrapper, fetchMock }
  }

  const dialogButton = (label) =>
    [...document.querySelectorAll('[data-testid="confirm-dialog"] button, [data-testid="user-modal"] button')].find((b) => b.textContent.includes(label))

  it('liste les comptes, sans actions sur le sien', async () => {
    const { wrapper } = await render()
    expect(wrapper.text()).toContain('(2 / 5)')
    const mine = wrapper.find('[data-testid="user-row-chef"]')
    expect(mine.text()).toContain('Administrateur')
    expect(mine.find('[data-testid="user-delete"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="user-row-bob"] [data-testid="user-delete"]').exists()).toBe(true)
  })

  it('crée un compte après confirmation du mot de passe, erreurs du serveur sous le champ', async () => {
    let calls = 0
    const { wrapper, fetchMock } = await render({
      'POST /api/users/': () =>
        ++calls === 1
          ? jsonResponse(400, { detail: 'Mot de passe refusé : trop court.', errors: { password: ['Trop court.'] } })
          : jsonResponse(201, row(3, 'zoe')),
    })
    await wrapper.find('[data-testid="add-user"]').trigger('click')
    await flushPromises()
    const modal = document.querySelector('[data-testid="user-modal"]')
    const set = async (name, value) => {
      const input = modal.querySelector(`[name="${name}"]`)
      input.value = value
      input.dispatchEvent(new Event('input'))
      await flushPromises()
    }
    await set('username', 'zoe')
    await set('password', 'court')
    await set('confirm', 'court')
    modal.querySelector('form').dispatchEvent(new Event('submit'))
    await flushPromises()
    expect(modal.querySelector('[data-testid="user-error-password"]').textContent).toContain('Trop court.')
    await set('password', 'Assez-Long-2026')
    await set('confirm', 'Assez-Long-2026')
    modal.querySelector('form').dispatchEvent(new Event('submit'))
    await flushPromises()
    expect(requestBody(fetchMock, 2)).toEqual({ username: 'zoe', password: 'Assez-Long-2026', is_staff: false })
    expect(wrapper.find('[data-testid="user-row-zoe"]').exists()).toBe(true)
  })

  it('demande confirmation avant de supprimer un compte qui trade, puis confirme côté serveur', async () => {
    const { wrapper, fetchMock } = await render({ 'DELETE /api/users/2/': jsonResponse(204) })
    await wrapper.find('[data-testid="user-row-bob"] [data-testid="user-delete"]').trigger('click')
    await flushPromises()
    const text = document.querySelector('[data-testid="confirm-dialog"]').textContent
    expect(text).toContain('1 stratégie(s) live')
    expect(text).toContain('Ses stratégies seront arrêtées')
    expect(fetchMock).toHaveBeenCalledTimes(1)
    dialogButton('Supprimer').click()
    await flushPromises()
    expect(fetchMock.mock.calls[1][0]).toContain('/api/users/2/?confirm=1')
    expect(wrapper.find('[data-testid="user-row-bob"]').exists()).toBe(false)
  })

  it('redemande quand le compte s’est mis à trader depuis l’affichage de la liste', async () => {
    const quiet = row(2, 'bob')
    let calls = 0
    const { wrapper, fetchMock } = await render({
      'GET /api/users/': jsonResponse(200, [quiet, CHEF]),
      'DELETE /api/users/2/': () =>
        ++calls === 1
          ? jsonResponse(409, { detail: '« bob » a 2 stratégie(s) live…', code: 'user_has_live_strategies', live_strategies: 2, open_positions: 1 })
          : jsonResponse(204),
    })
    await wrapper.find('[data-testid="user-row-bob"] [data-testid="user-delete"]').trigger('click')
    await flushPromises()
    dialogButton('Supprimer').click()
    await flushPromises()
    const dialog = document.querySelector('[data-testid="confirm-dialog"]')
    expect(dialog.textContent).toContain('2 stratégie(s) live et 1 position(s)')
    expect(fetchMock.mock.calls[1][0]).not.toContain('confirm')
    dialogButton('Supprimer quand même').click()
    await flushPromises()
    expect(fetchMock.mock.calls[2][0]).toContain('confirm=1')
    expect(wrapper.find('[data-testid="user-row-bob"]').exists()).toBe(false)
  })

  it('désactive après une confirmation qui dit que les stratégies continuent', async () => {
    const { wrapper, fetchMock } = await render({
      'PATCH /api/users/2/': (url, init) => jsonResponse(200, { ...BOB, ...JSON.parse(init.body) }),
    })
    await wrapper.find('[data-testid="user-row-bob"] [data-testid="user-toggle"]').trigger('click')
    await flushPromises()
    expect(document.querySelector('[data-testid="confirm-dialog"]').textContent).toContain('continuent de trader')
    dialogButton('Désactiver').click()
    await flushPromises()
    expect(requestBody(fetchMock, 1)).toEqual({ is_active: false })
    expect(wrapper.find('[data-testid="user-row-bob"]').text()).toContain('Désactivé')
  })
})
