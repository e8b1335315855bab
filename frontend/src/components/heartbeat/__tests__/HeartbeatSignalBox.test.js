import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useAuthStore } from '../../../stores/auth.js'
import { normalizeSignal } from '../../../domain/heartbeat/feed.js'
import HeartbeatSignalBox from '../HeartbeatSignalBox.vue'

const signal = (minute) =>
  normalizeSignal({
    timeframe: '1m',
    symbol: 'BTCUSDT',
    open_time: Date.UTC(2026, 10, 25, 17, minute),
    close_time: Date.UTC(2026, 10, 25, 17, minute, 59, 999),
    sent_at: new Date(Date.UTC(2026, 10, 25, 17, minute + 1, 0, 300)).toISOString(),
  })

describe('HeartbeatSignalBox', () => {
  let pinia

  beforeEach(() => {
    vi.useFakeTimers()
    pinia = createPinia()
    setActivePinia(pinia)
  })

  afterEach(() => vi.useRealTimers())

  const mountBox = (props) => mount(HeartbeatSignalBox, { props: { timeframe: '1m', signals: [], ...props }, global: { plugins: [pinia] } })

  it('affiche AA.MM.DD_HH:MM du moment d’envoi, le plus récent en haut, selon le fuseau choisi', async () => {
    const wrapper = mountBox({ signals: [signal(5), signal(4)] })
    const stamps = () => wrapper.findAll('.signal-box__stamp').map((n) => n.text())
    expect(stamps()).toEqual(['26.11.25_17:06', '26.11.25_17:05'])
    useAuthStore().user = { id: 1, display_timezone: 'local' }
    await wrapper.vm.$nextTick()
    expect(stamps()).toEqual(['26.11.25_18:06', '26.11.25_18:05']) // Europe/Paris (vitest.config)
  })

  it('« Aucun signal » quand la liste est vide ; compteur sur 60', () => {
    const wrapper = mountBox()
    expect(wrapper.text()).toContain('Aucun signal')
    expect(wrapper.find('.signal-box__count').text()).toBe('0/60')
  })

  it('clignote brièvement quand un signal arrive en direct', async () => {
    const wrapper = mountBox({ tick: 0 })
    await wrapper.setProps({ tick: 1, signals: [signal(5)] })
    vi.advanceTimersByTime(20) // requestAnimationFrame
    await wrapper.vm.$nextTick()
    expect(wrapper.classes()).toContain('signal-box--flash')
    vi.advanceTimersByTime(1500)
    await wrapper.vm.$nextTick()
    expect(wrapper.classes()).not.toContain('signal-box--flash')
  })
})
