import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import StrategyList from '../StrategyList.vue'

const item = (id, name, validation) => ({ id, name, timeframe: '1m', updated_at: '2026-12-01T10:00:00Z', validation })

describe('StrategyList', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('marque « Invalide » (avec la ligne et l’erreur) une stratégie dont le code ne passe pas', () => {
    const wrapper = mount(StrategyList, {
      props: {
        items: [
          item(1, 'EMA', { ok: true }),
          item(2, 'Cassée', { ok: false, line: 3, error: 'ZeroDivisionError: division by zero' }),
        ],
      },
    })
    const badges = wrapper.findAll('[data-testid="strategy-invalid"]')
    expect(badges).toHaveLength(1)
    expect(badges[0].text()).toBe('Invalide · l. 3')
    expect(badges[0].attributes('title')).toContain('ligne 3')
    expect(badges[0].attributes('title')).toContain('ZeroDivisionError')
    const rows = wrapper.findAll('[data-testid="strategy-item"]')
    expect(rows[0].find('[data-testid="strategy-invalid"]').exists()).toBe(false)
  })
})
