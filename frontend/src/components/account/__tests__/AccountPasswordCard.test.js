import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonResponse, requestBody, stubFetch } from '../../../../tests/helpers/fetch.js'
import AccountPasswordCard from '../AccountPasswordCard.vue'

describe('AccountPasswordCard', () => {
  let pinia

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
  })

  async function submit(values) {
    const wrapper = mount(AccountPasswordCard, { global: { plugins: [pinia] } })
    await wrapper.find('[name="current_password"]').setValue(values.current)
    await wrapper.find('[name="new_password"]').setValue(values.next)
    await wrapper.find('[name="confirm_password"]').setValue(values.confirm)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    return wrapper
  }

  it('bloque une confirmation différente', async () => {
    const fetchMock = stubFetch({})
    const wrapper = await submit({ current: 'a', next: 'Nouveau-1', confirm: 'Nouveau-2' })
    expect(wrapper.find('[name="confirm_password"] ~ .field__error').text()).toMatch(/diffèrent|ne correspond pas/)
    expect(wrapper.find('button[type="submit"]').attributes('disabled')).toBeDefined()
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('envoie {current_password, new_password} et vide le formulaire', async () => {
    const fetchMock = stubFetch({ 'POST /api/auth/password/': jsonResponse(200, { detail: 'Mot de passe modifié.' }) })
    const wrapper = await submit({ current: 'ancien', next: 'Nouveau-Passe-2026', confirm: 'Nouveau-Passe-2026' })
    expect(requestBody(fetchMock, 0)).toEqual({ current_password: 'ancien', new_password: 'Nouveau-Passe-2026' })
    expect(wrapper.find('[name="current_password"]').element.value).toBe('')
  })

  it('affiche en ligne les erreurs françaises du serveur', async () => {
    stubFetch({
      'POST /api/auth/password/': jsonResponse(400, {
        detail: 'Nouveau mot de passe refusé : Ce mot de passe est trop court.',
        errors: { new_password: ['Ce mot de passe est trop court.'] },
      }),
    })
    const wrapper = await submit({ current: 'ancien', next: 'a', confirm: 'a' })
    expect(wrapper.find('[data-testid="password-error-new"]').text()).toBe('Ce mot de passe est trop court.')
    expect(wrapper.find('[name="new_password"]').classes()).toContain('input--invalid')
    expect(wrapper.find('[data-testid="password-error"]').exists()).toBe(false) // pas de doublon
  })

  it('message général quand l’erreur ne vise aucun champ', async () => {
    stubFetch({ 'POST /api/auth/password/': jsonResponse(429, { detail: 'Trop de tentatives, réessayez dans une minute.' }) })
    const wrapper = await submit({ current: 'ancien', next: 'Nouveau-Passe-2026', confirm: 'Nouveau-Passe-2026' })
    expect(wrapper.find('[data-testid="password-error"]').text()).toBe('Trop de tentatives, réessayez dans une minute.')
  })
})
