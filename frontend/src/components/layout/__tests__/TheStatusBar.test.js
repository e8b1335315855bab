import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { useStatusStore } from '../../../stores/status.js'
import TheStatusBar from '../TheStatusBar.vue'

function status(overrides = {}) {
  return {
    heartbeat: { is_connected: true, last_heartbeat: null, last_message_at: null },
    coherent: true,
    open_alerts: 0,
    live_strategies: 0,
    testnet: false,
    ...overrides,
  }
}

describe('TheStatusBar', () => {
  let pinia

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
  })

  const mountBar = () => mount(TheStatusBar, { global: { plugins: [pinia] } })
  const pill = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)
  // Libellé complet (lu par les lecteurs d'écran) et libellé court (affiché sous 1280 px).
  const label = (wrapper, id) => pill(wrapper, id).find('.pill__label').text()
  const short = (wrapper, id) => pill(wrapper, id).find('.pill__short').text()

  it('affiche un état de chargement tant que le statut est inconnu', () => {
    expect(mountBar().text()).toBe('Chargement du statut…')
  })

  it('affiche heartbeat actif et cohérent en vert, stratégies éteintes à 0', async () => {
    const wrapper = mountBar()
    useStatusStore().applyStatus(status())
    await wrapper.vm.$nextTick()
    expect(label(wrapper, 'status-heartbeat')).toBe('Heartbeat actif')
    expect(pill(wrapper, 'status-heartbeat').attributes('data-tone')).toBe('success')
    expect(label(wrapper, 'status-coherent')).toBe('Heartbeat cohérent')
    expect(label(wrapper, 'status-live')).toBe('Stratégies live : 0')
    expect(pill(wrapper, 'status-live').attributes('data-tone')).toBe('neutral')
    expect(pill(wrapper, 'status-testnet').exists()).toBe(false)
    expect(pill(wrapper, 'status-paper').exists()).toBe(false)
    expect([short(wrapper, 'status-heartbeat'), short(wrapper, 'status-coherent'), short(wrapper, 'status-live')]).toEqual([
      'HB actif',
      'Cohérent',
      'Live : 0',
    ])
    expect(pill(wrapper, 'status-live').attributes('title')).toBe('Stratégies live : 0')
  })

  it('passe au rouge, allume les stratégies live et signale le testnet', async () => {
    const wrapper = mountBar()
    useStatusStore().applyStatus(
      status({ heartbeat: { is_connected: false }, coherent: false, live_strategies: 4, testnet: true }),
    )
    await wrapper.vm.$nextTick()
    expect(label(wrapper, 'status-heartbeat')).toBe('Heartbeat inactif')
    expect(pill(wrapper, 'status-heartbeat').attributes('data-tone')).toBe('danger')
    expect(label(wrapper, 'status-coherent')).toBe('Heartbeat incohérent')
    expect(label(wrapper, 'status-live')).toBe('Stratégies live : 4')
    expect(pill(wrapper, 'status-live').attributes('data-tone')).toBe('primary')
    expect(label(wrapper, 'status-testnet')).toBe('MODE TESTNET')
    expect(pill(wrapper, 'status-testnet').attributes('data-tone')).toBe('inverted')
    expect([short(wrapper, 'status-heartbeat'), short(wrapper, 'status-coherent'), short(wrapper, 'status-live'), short(wrapper, 'status-testnet')]).toEqual([
      'HB inactif',
      'Incohérent',
      'Live : 4',
      'TESTNET',
    ])
    expect(pill(wrapper, 'status-testnet').find('.pill__short').attributes('aria-hidden')).toBe('true')
  })

  it('signale un broker papier en jeu (PAPIER, ambre)', async () => {
    const wrapper = mountBar()
    useStatusStore().applyStatus(status({ venues: ['paper', 'real'] }))
    await wrapper.vm.$nextTick()
    expect(label(wrapper, 'status-paper')).toBe('PAPIER')
    expect(pill(wrapper, 'status-paper').attributes('data-tone')).toBe('paper')
    expect(pill(wrapper, 'status-paper').attributes('title')).toMatch('ordres simulés')
    useStatusStore().applyStatus(status({ venues: ['real'] }))
    await wrapper.vm.$nextTick()
    expect(pill(wrapper, 'status-paper').exists()).toBe(false)
  })
})
