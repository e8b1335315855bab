import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import TradeSideTag from '../TradeSideTag.vue'
import TradeStatusBadge from '../TradeStatusBadge.vue'

describe('badges des tables de trades', () => {
  it('affiche le sens en français avec sa couleur', () => {
    const buy = mount(TradeSideTag, { props: { side: 'buy' } })
    expect(buy.text()).toBe('Achat')
    expect(buy.classes()).toContain('trade-side--buy')
    expect(mount(TradeSideTag, { props: { side: 'sell' } }).text()).toBe('Vente')
  })

  it('affiche le statut en français, inconnu tel quel', () => {
    const error = mount(TradeStatusBadge, { props: { status: 'error' } })
    expect(error.text()).toBe('Erreur')
    expect(error.classes()).toContain('trade-status--error')
    expect(mount(TradeStatusBadge, { props: { status: 'filled' } }).text()).toBe('Exécuté')
    expect(mount(TradeStatusBadge, { props: { status: 'bizarre' } }).text()).toBe('bizarre')
  })
})
