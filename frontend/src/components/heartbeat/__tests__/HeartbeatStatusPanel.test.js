import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { useStatusStore } from '../../../stores/status.js'
import HeartbeatStatusPanel from '../HeartbeatStatusPanel.vue'

const base = {
  heartbeat: { is_connected: true, last_heartbeat: null, last_message_at: null },
  coherent: true,
  open_alerts: 0,
  live_strategies: 1,
  testnet: false,
}

describe('HeartbeatStatusPanel', () => {
  let pinia

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
  })

  async function tileText(venues) {
    const wrapper = mount(HeartbeatStatusPanel, { global: { plugins: [pinia] } })
    useStatusStore().applyStatus({ ...base, venues })
    await wrapper.vm.$nextTick()
    return wrapper.text()
  }

  it('ne présente pas un broker du simulateur comme un compte réel', async () => {
    const text = await tileText(['simulator'])
    expect(text).toContain('Simulateur local (aucun ordre réel)')
    expect(text).not.toContain('Comptes réels')
  })

  it('dit « Comptes réels » pour de vrais comptes', async () => {
    expect(await tileText(['real'])).toContain('Comptes réels')
  })
})
