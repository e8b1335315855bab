import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import TheSidebar from '../TheSidebar.vue'

const EXPECTED = [
  ['Heartbeat', '/heartbeat'],
  ['Trading manuel', '/trading-manuel'],
  ['Trading BOT', '/trading-bot'],
  ['Stratégies', '/strategies'],
  ['Backtest', '/backtest'],
  ['Webhooks', '/webhooks'],
  ['Statistiques', '/statistiques'],
  ['Mon Compte', '/mon-compte'],
]

async function mountAt(path) {
  const Blank = { template: '<div />' }
  const router = createRouter({
    history: createMemoryHistory(),
    routes: EXPECTED.map(([, p]) => ({ path: p, component: Blank })),
  })
  await router.push(path)
  await router.isReady()
  return mount(TheSidebar, { global: { plugins: [router] } })
}

describe('TheSidebar', () => {
  it('affiche exactement les 8 entrées du menu, dans l’ordre, avec leurs routes', async () => {
    const wrapper = await mountAt('/heartbeat')
    const links = wrapper.findAll('nav a')
    expect(links.map((a) => [a.text(), a.attributes('href')])).toEqual(EXPECTED)
  })

  it('met en évidence l’entrée de la page courante', async () => {
    const wrapper = await mountAt('/backtest')
    const active = wrapper.findAll('.sidebar__link--active')
    expect(active).toHaveLength(1)
    expect(active[0].text()).toBe('Backtest')
  })

  it('indique l’état de la liaison temps réel', async () => {
    const wrapper = await mountAt('/heartbeat')
    expect(wrapper.find('.sidebar__footer').text()).toBe('Temps réel hors ligne')
    await wrapper.setProps({ realtime: true })
    expect(wrapper.find('.sidebar__footer').text()).toBe('Temps réel connecté')
  })
})
