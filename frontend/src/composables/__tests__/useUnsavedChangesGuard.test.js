import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { useUnsavedChangesGuard } from '../useUnsavedChangesGuard.js'

const dirty = ref(false)
const save = vi.fn(async () => {
  dirty.value = false
})
const discard = vi.fn(() => {
  dirty.value = false
})
let guard

const Editor = defineComponent({
  setup() {
    guard = useUnsavedChangesGuard(dirty, { save, discard })
    return () => h('p', guard.open.value ? 'dialogue ouvert' : 'éditeur')
  },
})

async function mountAt(path) {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/strategies', component: Editor },
      { path: '/backtest', component: { render: () => h('p', 'backtest') } },
    ],
  })
  router.push(path)
  await router.isReady()
  const wrapper = mount(RouterView, { global: { plugins: [router] }, attachTo: document.body })
  return { router, wrapper }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('garde-fou des modifications non enregistrées', () => {
  afterEach(() => {
    dirty.value = false
    vi.clearAllMocks()
  })

  it('laisse partir sans question quand rien n’est modifié', async () => {
    const { router } = await mountAt('/strategies')
    await router.push('/backtest')
    expect(router.currentRoute.value.path).toBe('/backtest')
  })

  it('ouvre la boîte de dialogue et reste sur la page si l’utilisateur le choisit', async () => {
    const { router, wrapper } = await mountAt('/strategies')
    dirty.value = true
    const navigation = router.push('/backtest')
    await flush()
    expect(wrapper.text()).toBe('dialogue ouvert')
    guard.stay()
    await navigation
    expect(router.currentRoute.value.path).toBe('/strategies')
    expect(discard).not.toHaveBeenCalled()
  })

  it('abandonne les modifications puis quitte', async () => {
    const { router } = await mountAt('/strategies')
    dirty.value = true
    const navigation = router.push('/backtest')
    await flush()
    guard.discardAndContinue()
    await navigation
    expect(discard).toHaveBeenCalledOnce()
    expect(router.currentRoute.value.path).toBe('/backtest')
  })

  it('enregistre puis quitte ; un échec d’enregistrement garde la page et le message', async () => {
    const { router } = await mountAt('/strategies')
    dirty.value = true
    save.mockRejectedValueOnce(new Error('Vous avez déjà une stratégie nommée « EMA ».'))
    const navigation = router.push('/backtest')
    await flush()
    await guard.saveAndContinue()
    expect(guard.error.value).toBe('Vous avez déjà une stratégie nommée « EMA ».')
    expect(guard.open.value).toBe(true)
    await guard.saveAndContinue()
    await navigation
    expect(router.currentRoute.value.path).toBe('/backtest')
  })

  it('demande au navigateur de confirmer la fermeture de l’onglet', async () => {
    await mountAt('/strategies')
    const clean = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(clean)
    expect(clean.defaultPrevented).toBe(false)
    dirty.value = true
    const guarded = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(guarded)
    expect(guarded.defaultPrevented).toBe(true)
  })
})
