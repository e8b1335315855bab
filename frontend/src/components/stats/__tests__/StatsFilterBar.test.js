import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import StatsFilterBar from '../StatsFilterBar.vue'

describe('StatsFilterBar : les dates choisies disent leur fuseau (Mon Compte)', () => {
  const labels = (timezone) => {
    const wrapper = mount(StatsFilterBar, { props: { preset: 'custom', timezone } })
    return [wrapper.find('[data-testid="stats-start-label"]').text(), wrapper.find('[data-testid="stats-end-label"]').text()]
  }

  it('UTC ou heure locale', () => {
    expect(labels('UTC')).toEqual(['Du (UTC)', 'Au, inclus (UTC)'])
    expect(labels('local')).toEqual(['Du (heure locale)', 'Au, inclus (heure locale)'])
  })
})
