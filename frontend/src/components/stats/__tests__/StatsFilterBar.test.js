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

describe('StatsFilterBar : comptes réels et papier', () => {
  const options = (brokers) =>
    mount(StatsFilterBar, { props: { preset: 'month', brokers } }).findAll('select[name="broker"] option').map((o) => [o.attributes('value'), o.text()])

  it('réels et papier : « Tous » dit qu’il les additionne, et on peut les séparer', async () => {
    const list = options([{ id: 1, name: 'Binance', exchange: 'binance' }, { id: 2, name: 'Essai', exchange: 'binance', is_paper: true }])
    expect(list.slice(0, 3)).toEqual([['', 'Tous (réels et papier additionnés)'], ['real', 'Comptes réels seulement'], ['paper', 'Comptes papier seulement']])
    const wrapper = mount(StatsFilterBar, { props: { preset: 'month', broker: 'real', brokers: [{ id: 1, name: 'B' }, { id: 2, name: 'P', is_paper: true }] } })
    await wrapper.find('select[name="broker"]').setValue('paper')
    expect(wrapper.emitted('change')[0]).toEqual([{ broker: 'paper' }])
  })

  it('une seule sorte de comptes : pas de filtre en plus', () => {
    expect(options([{ id: 1, name: 'Binance', exchange: 'binance' }]).map(([value]) => value)).toEqual(['', '1'])
  })
})
