import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { jsonResponse, stubFetch } from '../../../../tests/helpers/fetch.js'
import StrategySandboxNotice from '../StrategySandboxNotice.vue'

const status = (level, message) => ({
  level,
  message,
  platform: level === 'aucun' ? 'darwin' : 'linux',
  seccomp: level !== 'aucun',
  landlock_abi: level === 'complet' ? 7 : 0,
  dedicated_uid: false,
  verified: level === 'complet',
  problems: level === 'complet' ? {} : { landlock: 'indisponible' },
})

describe('StrategySandboxNotice', () => {
  let pinia

  beforeEach(() => {
    pinia = createPinia()
    setActivePinia(pinia)
  })

  async function render(body) {
    const fetchMock = stubFetch({ 'GET /api/strategies/sandbox/': jsonResponse(200, body) })
    const wrapper = mount(StrategySandboxNotice, { global: { plugins: [pinia] } })
    await flushPromises()
    return { wrapper, fetchMock }
  }

  it('avertit quand le code des stratégies n’est pas confiné (macOS)', async () => {
    const { wrapper } = await render(status('aucun', 'Code des stratégies NON confiné sur cette plateforme'))
    const warning = wrapper.find('[data-testid="sandbox-warning"]')
    expect(warning.exists()).toBe(true)
    expect(warning.attributes('role')).toBe('alert')
    expect(warning.text()).toContain('Code des stratégies non confiné')
    expect(warning.text()).toContain('NON confiné sur cette plateforme')
    expect(wrapper.find('[data-testid="sandbox-ok"]').exists()).toBe(false)
  })

  it('signale un confinement partiel avec la raison du serveur', async () => {
    const { wrapper } = await render(status('partiel', 'Confinement PARTIEL (landlock : indisponible)'))
    expect(wrapper.find('[data-testid="sandbox-warning"]').text()).toContain('Confinement partiel')
    expect(wrapper.text()).toContain('landlock : indisponible')
  })

  it('reste discret quand le confinement est complet, et ne recharge pas l’état', async () => {
    const { wrapper, fetchMock } = await render(status('complet', 'Code des stratégies confiné'))
    expect(wrapper.find('[data-testid="sandbox-warning"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="sandbox-ok"]').text()).toContain('Code confiné')
    mount(StrategySandboxNotice, { global: { plugins: [pinia] } })
    await flushPromises()
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })
})
