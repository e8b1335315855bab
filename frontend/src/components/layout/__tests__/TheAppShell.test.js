import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { MENU_ENTRIES } from '../../../router/menu.js'
import { useStatusStore } from '../../../stores/status.js'
import TheAppShell from '../TheAppShell.vue'

/** Tiroir du menu (tablette, téléphone) : bouton du header, voile, Échap, navigation. */
describe('TheAppShell — menu en tiroir', () => {
  let wrapper
  let router

  beforeEach(async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const status = useStatusStore()
    status.start = vi.fn() // pas d'API ni de WebSocket dans ce test
    status.stop = vi.fn()
    const Blank = { template: '<p>page</p>' }
    router = createRouter({ history: createMemoryHistory(), routes: MENU_ENTRIES.map((e) => ({ path: e.path, component: Blank })) })
    await router.push('/backtest')
    await router.isReady()
    wrapper = mount(TheAppShell, { global: { plugins: [pinia, router] }, attachTo: document.body })
  })

  afterEach(() => wrapper.unmount())

  const toggle = () => wrapper.find('[data-testid="menu-toggle"]')
  const sidebar = () => wrapper.find('[data-testid="sidebar"]')
  const backdrop = () => wrapper.find('[data-testid="menu-backdrop"]')
  const isOpen = () => toggle().attributes('aria-expanded') === 'true'

  async function open() {
    await toggle().trigger('click')
    await flushPromises()
    expect(isOpen()).toBe(true)
  }

  it('le bouton menu pilote la sidebar (aria-expanded, aria-controls) et donne le focus à la page courante', async () => {
    expect(isOpen()).toBe(false)
    expect(toggle().attributes('aria-label')).toBe('Ouvrir le menu')
    expect(toggle().attributes('aria-controls')).toBe(sidebar().attributes('id'))
    expect(sidebar().attributes('data-open')).toBe('false')
    expect(backdrop().exists()).toBe(false)

    await open()
    expect(toggle().attributes('aria-label')).toBe('Fermer le menu')
    expect(sidebar().attributes('data-open')).toBe('true')
    expect(backdrop().exists()).toBe(true)
    expect(document.activeElement?.textContent?.trim()).toBe('Backtest')

    expect(wrapper.find('[data-testid="main-content"]').attributes('inert')).toBeDefined()

    await toggle().trigger('click')
    expect(isOpen()).toBe(false)
    expect(wrapper.find('[data-testid="main-content"]').attributes('inert')).toBeUndefined()
  })

  it('Échap ferme le tiroir et rend le focus au bouton menu', async () => {
    await open()
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushPromises()
    expect(isOpen()).toBe(false)
    expect(document.activeElement).toBe(toggle().element)
  })

  it('un clic sur le voile ou sur le bouton de fermeture ferme le tiroir', async () => {
    await open()
    await backdrop().trigger('click')
    expect(isOpen()).toBe(false)
    expect(backdrop().exists()).toBe(false)

    await open()
    await wrapper.find('[data-testid="menu-close"]').trigger('click')
    await flushPromises()
    expect(isOpen()).toBe(false)
    expect(document.activeElement).toBe(toggle().element)
  })

  it('la navigation ferme le tiroir, y compris vers la page déjà ouverte', async () => {
    await open()
    await wrapper.find('[data-testid="nav-statistiques"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/statistiques')
    expect(isOpen()).toBe(false)

    await open()
    await wrapper.find('[data-testid="nav-statistiques"]').trigger('click')
    await flushPromises()
    expect(isOpen()).toBe(false)

    await open()
    await router.push('/heartbeat')
    await flushPromises()
    expect(isOpen()).toBe(false)
  })
})
